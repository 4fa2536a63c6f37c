import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Purpose-bound keys, all derived (HKDF-SHA256) from one master key, so an operator manages a
 * single secret per key and no key is used for two jobs.
 */
export interface Keys {
  /** AES-256-GCM key for identifier values. */
  identifierEncryption: Buffer;
  /** HMAC key for the identifier uniqueness hash. */
  identifierHash: Buffer;
  /** HMAC key for one-time contact verification codes. */
  contactCode: Buffer;
  /** AES-256-GCM key for a contact code waiting for delivery (never stored in clear). */
  contactCodeSealing: Buffer;
  /** HMAC key for signed document download URLs. */
  downloadUrl: Buffer;
  /** HMAC key for the email addresses and phone numbers that attempt limits count against. */
  attemptSubject: Buffer;
  /** AES-256-GCM key that wraps each document's own random data key (envelope encryption). */
  documentKeyWrapping: Buffer;
  /**
   * What the database records to recognise this master key: a keyed hash of a constant (hex).
   * It tells keys apart and reveals nothing that helps guess one.
   */
  fingerprint: string;
}

export function deriveKeys(masterKey: Buffer): Keys {
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `onboarding-api/${purpose}/v1`, 32));
  return {
    identifierEncryption: derive('identifier-encryption'),
    identifierHash: derive('identifier-hash'),
    contactCode: derive('contact-code'),
    contactCodeSealing: derive('contact-code-sealing'),
    downloadUrl: derive('download-url'),
    attemptSubject: derive('attempt-subject'),
    documentKeyWrapping: derive('document-key-wrapping'),
    fingerprint: createHmac('sha256', derive('fingerprint')).update('onboarding-api key fingerprint').digest('hex'),
  };
}

/** Key ids in DATA_ENCRYPTION_KEYS: short, so each ciphertext can carry its key's id. */
export const KEY_ID_PATTERN = /^[a-z0-9-]{1,16}$/;

/**
 * The id of the key given as DATA_ENCRYPTION_KEY (or generated for development). Identifiers
 * written before key ids existed (ciphertext version 1) are under this key.
 */
export const SINGLE_KEY_ID = 'k1';

/** A configured master key and its id. */
export interface DataKey {
  id: string;
  secret: Buffer;
}

export interface RingKey {
  id: string;
  keys: Keys;
}

/**
 * Every master key the server may read data with, the current one (which writes) first. Old keys
 * stay in the ring until `npm run keys:rotate` has moved everything off them.
 */
export class KeyRing {
  readonly current: RingKey;
  private readonly byId: ReadonlyMap<string, RingKey>;

  constructor(readonly keys: readonly RingKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key');
    this.current = keys[0];
    this.byId = new Map(keys.map((key) => [key.id, key]));
    if (this.byId.size !== keys.length) throw new Error('key ids in a key ring must be distinct');
  }

  static fromSecrets(secrets: readonly DataKey[]): KeyRing {
    return new KeyRing(secrets.map(({ id, secret }) => ({ id, keys: deriveKeys(secret) })));
  }

  get(id: string): RingKey | undefined {
    return this.byId.get(id);
  }
}

/**
 * The ring the configuration names: DATA_ENCRYPTION_KEYS, or DATA_ENCRYPTION_KEY as a ring of one
 * key with id k1, or (development only; production refuses to start without a key) a generated
 * development key under k1.
 */
export function keyRingFor(
  config: { dataKeys: readonly DataKey[] | null; masterKey: Buffer | null; dataDir: string },
  onDevelopmentKeyCreated: (file: string) => void,
): KeyRing {
  if (config.dataKeys) return KeyRing.fromSecrets(config.dataKeys);
  const secret = config.masterKey ?? loadOrCreateDevelopmentKey(config.dataDir, onDevelopmentKeyCreated);
  return KeyRing.fromSecrets([{ id: SINGLE_KEY_ID, secret }]);
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
