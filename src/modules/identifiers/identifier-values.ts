/**
 * What an identifier value must look like, per type, and how it is kept: normalised, encrypted
 * (AES-256-GCM) and hashed (HMAC) for the uniqueness rule. The clear value never leaves this file
 * except as `last4`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { IdentifierType } from '../../generated/prisma/enums';
import type { Keys } from '../../shared/keys';
import { hmacHex } from '../../shared/keys';
import { FieldErrors } from '../../shared/validation';

const VALUE_MAX = 64;
const US_ISSUED: IdentifierType[] = ['SSN', 'ITIN'];
export const NEEDS_ISSUING_COUNTRY: IdentifierType[] = ['PASSPORT', 'NATIONAL_ID', 'DRIVERS_LICENSE'];
export const NEEDS_EXPIRY: IdentifierType[] = ['PASSPORT'];

function inRanges(value: number, ranges: Array<[number, number]>): boolean {
  return ranges.some(([low, high]) => value >= low && value <= high);
}

/** The canonical form of `raw` for `type`, or undefined after recording why it is refused. */
export function normaliseIdentifierValue(errors: FieldErrors, path: string[], type: IdentifierType, raw: string): string | undefined {
  const trimmed = raw.trim();
  if (trimmed === '') return errors.add(path, 'REQUIRED', 'value is required.');
  if (trimmed.length > VALUE_MAX) return errors.add(path, 'TOO_LONG', `value must be at most ${VALUE_MAX} characters.`);

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

export class IdentifierVault {
  constructor(private readonly keys: Pick<Keys, 'identifierEncryption' | 'identifierHash'>) {}

  /** The uniqueness key: one ACTIVE identifier per type, issuing country and normalised value. */
  uniquenessHash(type: IdentifierType, issuingCountry: string | null, value: string): string {
    const country = US_ISSUED.includes(type) ? 'US' : (issuingCountry ?? '');
    return hmacHex(this.keys.identifierHash, 'identifier', type, country, value);
  }

  encrypt(type: IdentifierType, value: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.identifierEncryption, iv);
    cipher.setAAD(Buffer.from(`identifier:${type}`));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), ciphertext]);
  }

  decrypt(type: IdentifierType, sealed: Uint8Array): string {
    const bytes = Buffer.from(sealed);
    if (bytes[0] !== 1) throw new Error('unknown identifier encryption version');
    const decipher = createDecipheriv('aes-256-gcm', this.keys.identifierEncryption, bytes.subarray(1, 13));
    decipher.setAAD(Buffer.from(`identifier:${type}`));
    decipher.setAuthTag(bytes.subarray(13, 29));
    return Buffer.concat([decipher.update(bytes.subarray(29)), decipher.final()]).toString('utf8');
  }
}
