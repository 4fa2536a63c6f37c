/** The key ring at rest: ciphertexts and hashes name their key, old keys still read, fingerprints reveal nothing. */
import { createCipheriv, randomBytes } from 'node:crypto';
import { IdentifierVault } from '../../src/modules/identifiers/identifier-values';
import { KeyRing, deriveKeys } from '../../src/shared/keys';

const A = Buffer.alloc(32, 0xa1);
const B = Buffer.alloc(32, 0xb2);

/** A value sealed the way the release before key ids did: [1][IV][tag][ciphertext] under DATA_ENCRYPTION_KEY. */
function sealedByPreviousRelease(master: Buffer, type: string, value: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKeys(master).identifierEncryption, iv);
  cipher.setAAD(Buffer.from(`identifier:${type}`));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), ciphertext]);
}

describe('IdentifierVault with a key ring', () => {
  const ring = KeyRing.fromSecrets([{ id: 'b', secret: B }, { id: 'k1', secret: A }]);
  const vault = new IdentifierVault(ring);

  it('reads version-1 ciphertexts (no key id) as key k1, the id DATA_ENCRYPTION_KEY has', () => {
    const old = sealedByPreviousRelease(A, 'SSN', '123456789');
    expect(vault.keyIdOf(old)).toBe('k1');
    expect(vault.decrypt('SSN', old)).toBe('123456789');
    // the previous release's single-key vault is a ring of k1 alone
    expect(new IdentifierVault(deriveKeys(A)).decrypt('SSN', old)).toBe('123456789');
  });

  it('writes with the current key, naming it in the ciphertext, and reads it back once that key is an old one', () => {
    const sealed = vault.encrypt('PASSPORT', 'X1234567');
    expect(sealed[0]).toBe(2);
    expect(vault.keyIdOf(sealed)).toBe('b');
    expect(vault.decrypt('PASSPORT', sealed)).toBe('X1234567');
    const later = new IdentifierVault(KeyRing.fromSecrets([{ id: 'c', secret: randomBytes(32) }, { id: 'b', secret: B }]));
    expect(later.decrypt('PASSPORT', sealed)).toBe('X1234567');
    // a ring without b cannot, and says which key it lacks
    expect(() => new IdentifierVault(deriveKeys(A)).decrypt('PASSPORT', sealed)).toThrow(/key b, which is not in the key ring/);
  });

  it('authenticates the key id: a ciphertext relabelled to another id does not decrypt, even with the right key material', () => {
    const sealed = vault.encrypt('SSN', '123456789');
    const relabelled = Buffer.from(sealed);
    relabelled[2] = 'c'.charCodeAt(0);
    const sameKeyAsC = new IdentifierVault(KeyRing.fromSecrets([{ id: 'c', secret: B }]));
    expect(sameKeyAsC.keyIdOf(relabelled)).toBe('c');
    expect(() => sameKeyAsC.decrypt('SSN', relabelled)).toThrow();
    expect(() => vault.decrypt('ITIN', sealed)).toThrow();
  });

  it('hashes a value under every key, current first, each as that key alone would', () => {
    const hashes = vault.uniquenessHashes('SSN', null, '123456789');
    expect(hashes.map((h) => h.keyId)).toEqual(['b', 'k1']);
    expect(hashes[0].hash).toBe(vault.uniquenessHash('SSN', null, '123456789'));
    // k1's hash is the one the previous release stored, so old rows keep matching
    expect(hashes[1].hash).toBe(new IdentifierVault(deriveKeys(A)).uniquenessHash('SSN', 'US', '123456789'));
    expect(hashes[0].hash).not.toBe(hashes[1].hash);
  });
});

describe('key fingerprints', () => {
  it('are stable per key, differ between keys, and are neither the key nor any key derived for use', () => {
    const keys = deriveKeys(A);
    expect(keys.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(deriveKeys(Buffer.from(A)).fingerprint).toBe(keys.fingerprint);
    expect(deriveKeys(B).fingerprint).not.toBe(keys.fingerprint);
    for (const secret of [A, keys.identifierEncryption, keys.identifierHash, keys.contactCode, keys.downloadUrl]) {
      expect(keys.fingerprint).not.toBe(secret.toString('hex'));
    }
  });

  it('a ring refuses two keys with one id', () => {
    expect(() => KeyRing.fromSecrets([{ id: 'a', secret: A }, { id: 'a', secret: B }])).toThrow(/distinct/);
    expect(() => KeyRing.fromSecrets([])).toThrow(/at least one key/);
  });
});
