/**
 * What an identifier value must look like, per type, and how it is kept: normalised, encrypted
 * (AES-256-GCM) and hashed (HMAC) for the uniqueness rule. The clear value never leaves this file
 * except as `last4`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { IdentifierType } from '../../generated/prisma/enums';
import { KeyRing, Keys, RingKey, SINGLE_KEY_ID, hmacHex } from '../../shared/keys';
import { FieldErrors, hygienicText } from '../../shared/validation';

const VALUE_MAX = 64;
const US_ISSUED: IdentifierType[] = ['SSN', 'ITIN'];
export const NEEDS_ISSUING_COUNTRY: IdentifierType[] = ['PASSPORT', 'NATIONAL_ID', 'DRIVERS_LICENSE'];
export const NEEDS_EXPIRY: IdentifierType[] = ['PASSPORT'];

function inRanges(value: number, ranges: Array<[number, number]>): boolean {
  return ranges.some(([low, high]) => value >= low && value <= high);
}

/** The canonical form of `raw` for `type`, or undefined after recording why it is refused. */
export function normaliseIdentifierValue(errors: FieldErrors, path: string[], type: IdentifierType, raw: string): string | undefined {
  const trimmed = hygienicText(errors, path, raw, 'token');
  if (trimmed === undefined) return undefined;
  if (trimmed === '') return errors.add(path, 'REQUIRED', 'value is required.');
  if ([...trimmed].length > VALUE_MAX) return errors.add(path, 'TOO_LONG', `value must be at most ${VALUE_MAX} characters.`);

  if (type === 'SSN' || type === 'ITIN') {
    if (!/^\d[\d-]*\d$/.test(trimmed) || trimmed.replace(/-/g, '').length !== 9) {
      return errors.add(path, 'INVALID_FORMAT', `An ${type} is nine digits, dashes allowed (e.g. ${type === 'SSN' ? '123-45-6789' : '912-70-1234'}).`);
    }
    const digits = trimmed.replace(/-/g, '');
    const area = Number(digits.slice(0, 3));
    const group = Number(digits.slice(3, 5));
    const serial = Number(digits.slice(5));
    if (type === 'SSN') {
      if (area === 0 || area === 666 || area >= 900) {
        return errors.add(path, 'INVALID_VALUE', 'An SSN cannot begin with 000, 666 or 900-999.');
      }
      if (group === 0) return errors.add(path, 'INVALID_VALUE', 'An SSN cannot have 00 as its fourth and fifth digits.');
      if (serial === 0) return errors.add(path, 'INVALID_VALUE', 'An SSN cannot end in 0000.');
    } else {
      if (!digits.startsWith('9')) return errors.add(path, 'INVALID_VALUE', 'An ITIN begins with 9.');
      if (!inRanges(group, [[50, 65], [70, 88], [90, 92], [94, 99]])) {
        return errors.add(path, 'INVALID_VALUE', 'An ITIN\'s fourth and fifth digits are in 50-65, 70-88, 90-92 or 94-99.');
      }
    }
    return digits;
  }

  // Document numbers: letters and digits; spaces and dashes are presentation only.
  const compact = trimmed.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[A-Z0-9]{3,30}$/.test(compact)) {
    return errors.add(path, 'INVALID_FORMAT', 'value must be 3 to 30 letters or digits (spaces and dashes are ignored).');
  }
  return compact;
}

export function checkIssuingCountry(errors: FieldErrors, path: string[], type: IdentifierType, country: string | null): void {
  if (country === null && NEEDS_ISSUING_COUNTRY.includes(type)) {
    errors.add(path, 'REQUIRED', `issuingCountry is required for a ${type}.`);
  }
  if (country !== null && US_ISSUED.includes(type) && country !== 'US') {
    errors.add(path, 'INVALID_VALUE', `An ${type} is issued by the US; issuingCountry must be US or left out.`);
  }
}

/**
 * Ciphertext layouts. Version 1 (written before key ids existed): [1][IV 12][tag 16][ciphertext],
 * always under the key with id k1. Version 2: [2][id length][key id][IV 12][tag 16][ciphertext],
 * the header (version and key id) authenticated along with the type.
 */
const V1 = 1;
const V2 = 2;

/** A uniqueness hash and the id of the key that made it (stored as value_hash, value_hash_key_id). */
export interface KeyedHash {
  keyId: string;
  hash: string;
}

export class IdentifierVault {
  private readonly ring: KeyRing;

  /** A key ring, or one key's derived keys (then under the id k1). */
  constructor(keys: KeyRing | Keys) {
    this.ring = keys instanceof KeyRing ? keys : new KeyRing([{ id: SINGLE_KEY_ID, keys }]);
  }

  /** The uniqueness key under the current key: one ACTIVE identifier per type, issuing country and normalised value. */
  uniquenessHash(type: IdentifierType, issuingCountry: string | null, value: string): string {
    return this.uniquenessHashUnder(this.ring.current, type, issuingCountry, value);
  }

  /**
   * The value's uniqueness hash under every key of the ring, current first: while two keys are in
   * use an ACTIVE identifier may be hashed under either, and each one blocks the same value.
   */
  uniquenessHashes(type: IdentifierType, issuingCountry: string | null, value: string): KeyedHash[] {
    return this.ring.keys.map((key) => ({ keyId: key.id, hash: this.uniquenessHashUnder(key, type, issuingCountry, value) }));
  }

  private uniquenessHashUnder(key: RingKey, type: IdentifierType, issuingCountry: string | null, value: string): string {
    const country = US_ISSUED.includes(type) ? 'US' : (issuingCountry ?? '');
    return hmacHex(key.keys.identifierHash, 'identifier', type, country, value);
  }

  encrypt(type: IdentifierType, value: string): Buffer {
    const { id, keys } = this.ring.current;
    const header = Buffer.concat([Buffer.from([V2, Buffer.byteLength(id)]), Buffer.from(id)]);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.identifierEncryption, iv);
    cipher.setAAD(Buffer.concat([header, Buffer.from(`identifier:${type}`)]));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), ciphertext]);
  }

  /** The id of the key a ciphertext was sealed with. */
  keyIdOf(sealed: Uint8Array): string {
    return this.parse(sealed).keyId;
  }

  decrypt(type: IdentifierType, sealed: Uint8Array): string {
    const { keyId, authenticatedHeader, body } = this.parse(sealed);
    const key = this.ring.get(keyId);
    if (!key) throw new Error(`identifier encrypted under key ${keyId}, which is not in the key ring`);
    const decipher = createDecipheriv('aes-256-gcm', key.keys.identifierEncryption, body.subarray(0, 12));
    decipher.setAAD(Buffer.concat([authenticatedHeader, Buffer.from(`identifier:${type}`)]));
    decipher.setAuthTag(body.subarray(12, 28));
    return Buffer.concat([decipher.update(body.subarray(28)), decipher.final()]).toString('utf8');
  }

  private parse(sealed: Uint8Array): { keyId: string; authenticatedHeader: Buffer; body: Buffer } {
    const bytes = Buffer.from(sealed);
    if (bytes[0] === V1) return { keyId: SINGLE_KEY_ID, authenticatedHeader: Buffer.alloc(0), body: bytes.subarray(1) };
    if (bytes[0] === V2 && bytes.length > 2) {
      const end = 2 + bytes[1];
      return { keyId: bytes.subarray(2, end).toString(), authenticatedHeader: bytes.subarray(0, end), body: bytes.subarray(end) };
    }
    throw new Error('unknown identifier encryption version');
  }
}
