/** Identifier values at rest: AES-256-GCM (fresh IV each time, tamper-evident) and a keyed uniqueness hash. */
import { deriveKeys } from '../../src/shared/keys';
import { IdentifierVault } from '../../src/modules/identifiers/identifier-values';

describe('IdentifierVault', () => {
  const vault = new IdentifierVault(deriveKeys(Buffer.alloc(32, 1)));

  it('encrypts to a different ciphertext each time and decrypts back', () => {
    const first = vault.encrypt('SSN', '123456789');
    const second = vault.encrypt('SSN', '123456789');
    expect(first.equals(second)).toBe(false);
    expect(first.includes(Buffer.from('123456789'))).toBe(false);
    expect(vault.decrypt('SSN', first)).toBe('123456789');
  });

  it('refuses a tampered ciphertext or one replayed under another type', () => {
    const sealed = vault.encrypt('PASSPORT', 'X1234567');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => vault.decrypt('PASSPORT', tampered)).toThrow();
    expect(() => vault.decrypt('NATIONAL_ID', sealed)).toThrow();
  });

  it('hashes by type, issuing country and value, with a key: another key gives another hash', () => {
    const hash = vault.uniquenessHash('PASSPORT', 'GB', 'X1234567');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(vault.uniquenessHash('PASSPORT', 'GB', 'X1234567')).toBe(hash);
    expect(vault.uniquenessHash('PASSPORT', 'FR', 'X1234567')).not.toBe(hash);
    expect(vault.uniquenessHash('NATIONAL_ID', 'GB', 'X1234567')).not.toBe(hash);
    expect(new IdentifierVault(deriveKeys(Buffer.alloc(32, 2))).uniquenessHash('PASSPORT', 'GB', 'X1234567')).not.toBe(hash);
    // SSNs and ITINs are US-issued whether or not the country is given.
    expect(vault.uniquenessHash('SSN', null, '123456789')).toBe(vault.uniquenessHash('SSN', 'US', '123456789'));
  });
});
