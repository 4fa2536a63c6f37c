/**
 * Document bytes at rest: envelope encryption. Each document gets its own random 256-bit data
 * key, which encrypts the bytes (AES-256-GCM); that key is stored wrapped (AES-256-GCM again)
 * under a key derived from the ring's current master key, and the wrapping key's id is stored
 * beside it. Rotating the master key re-wraps the 61-byte wrapped key and never touches the bytes.
 *
 * Layouts (version byte first, so a later format can sit beside this one):
 * - sealed bytes:  [1][IV 12][tag 16][ciphertext],        AAD "document-content/v1" + storage key
 * - wrapped key:   [1][IV 12][tag 16][encrypted data key], AAD "document-key/v1" + key id + storage key
 * Both are bound to the storage key (which names the client and the document), so neither the
 * bytes nor the key of one document can be passed off as another's.
 */
import { randomBytes } from 'node:crypto';
import type { KeyRing } from '../../shared/keys';
import { additionalData, gcmOpen, gcmSeal } from '../../shared/sealing';

const DATA_KEY_BYTES = 32;

/** What is stored for one document: the sealed bytes, its wrapped data key, and the wrapping key's id. */
export interface SealedDocument {
  content: Buffer;
  wrappedKey: Buffer;
  keyId: string;
}

/** A data key wrapped under one key of the ring. */
export interface WrappedDocumentKey {
  wrappedKey: Buffer;
  keyId: string;
}

export class DocumentVault {
  constructor(private readonly ring: KeyRing) {}

  /** The id of the key new documents are wrapped with. */
  get currentKeyId(): string {
    return this.ring.current.id;
  }

  seal(storageKey: string, content: Buffer): SealedDocument {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    try {
      return { content: gcmSeal(dataKey, contentAad(storageKey), content), ...this.wrap(storageKey, dataKey) };
    } finally {
      dataKey.fill(0);
    }
  }

  open(storageKey: string, sealed: SealedDocument): Buffer {
    const dataKey = this.unwrap(storageKey, sealed);
    try {
      return gcmOpen(dataKey, contentAad(storageKey), sealed.content, 'document');
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * A new data key for one file (format 2, sealed-chunks.ts), with its wrapped form to store. The
   * caller zeroes `dataKey` when done (ChunkCipher.dispose).
   */
  newDataKey(storageKey: string): { dataKey: Buffer } & WrappedDocumentKey {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    return { dataKey, ...this.wrap(storageKey, dataKey) };
  }

  /** The data key of a stored file (format 2); the caller zeroes it when done. */
  openDataKey(storageKey: string, wrapped: WrappedDocumentKey): Buffer {
    return this.unwrap(storageKey, wrapped);
  }

  /** The same data key wrapped under the current key: for key rotation, the bytes stay as they are. */
  rewrap(storageKey: string, wrapped: WrappedDocumentKey): WrappedDocumentKey {
    const dataKey = this.unwrap(storageKey, wrapped);
    try {
      return this.wrap(storageKey, dataKey);
    } finally {
      dataKey.fill(0);
    }
  }

  private wrap(storageKey: string, dataKey: Buffer): WrappedDocumentKey {
    const { id, keys } = this.ring.current;
    return { wrappedKey: gcmSeal(keys.documentKeyWrapping, keyAad(id, storageKey), dataKey), keyId: id };
  }

  private unwrap(storageKey: string, { wrappedKey, keyId }: WrappedDocumentKey): Buffer {
    const key = this.ring.get(keyId);
    if (!key) throw new Error(`document key wrapped under key ${keyId}, which is not in the key ring`);
    return gcmOpen(key.keys.documentKeyWrapping, keyAad(keyId, storageKey), wrappedKey, 'document key');
  }
}

const contentAad = (storageKey: string) => additionalData('onboarding-api/document-content/v1', storageKey);
const keyAad = (keyId: string, storageKey: string) => additionalData('onboarding-api/document-key/v1', keyId, storageKey);
