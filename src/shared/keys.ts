import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Purpose-bound keys, all derived (HKDF-SHA256) from the one configured master key, so an
 * operator manages a single secret and no key is used for two jobs.
 */
export interface Keys {
  /** AES-256-GCM key for identifier values. */
  identifierEncryption: Buffer;
  /** HMAC key for the identifier uniqueness hash. */
  identifierHash: Buffer;
  /** HMAC key for one-time contact verification codes. */
  contactCode: Buffer;
  /** HMAC key for signed document download URLs. */
  downloadUrl: Buffer;
}

export function deriveKeys(masterKey: Buffer): Keys {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `onboarding-api/${purpose}/v1`, 32));
  return {
    identifierEncryption: derive('identifier-encryption'),
    identifierHash: derive('identifier-hash'),
    contactCode: derive('contact-code'),
    downloadUrl: derive('download-url'),
  };
}

/**
 * The configured master key, or, when none is configured (development only; production refuses
 * to start without one), a random key generated once into DATA_DIR and reused after restarts.
 */
export function loadOrCreateDevelopmentKey(dataDir: string, onCreate: (file: string) => void): Buffer {
  const file = path.join(dataDir, 'development-master.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  onCreate(file);
  return key;
}

export function hmacHex(key: Buffer, ...parts: string[]): string {
  const hmac = createHmac('sha256', key);
  // Length-prefix each part so ("ab","c") and ("a","bc") never collide.
  for (const part of parts) hmac.update(`${Buffer.byteLength(part)}:${part};`);
  return hmac.digest('hex');
}

export function constantTimeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
