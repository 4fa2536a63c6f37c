/**
 * AES-256-GCM with additional data, in one layout for everything this server encrypts at rest
 * with a key of the ring: [version 1][IV 12][tag 16][ciphertext].
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/** Length-prefixed parts, so no two lists of parts give the same bytes. */
export const additionalData = (...parts: string[]) => Buffer.from(parts.map((part) => `${Buffer.byteLength(part)}:${part};`).join(''));

export function gcmSeal(key: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when `sealed` was altered, or sealed with another key or other additional data. */
export function gcmOpen(key: Buffer, aad: Buffer, sealed: Buffer, what: string): Buffer {
  if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) throw new Error(`unknown ${what} encryption format`);
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
}
