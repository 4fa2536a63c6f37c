import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a document's downloadUrl stays valid. */
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

/**
 * Signed, expiring links to one thing: `?expires=<unix>&signature=<hmac>`. The HMAC covers the
 * purpose, the id and the expiry, so none of them can be altered, and a link for one purpose (a
 * download) is no link for another (an upload) even with the same key.
 */
export class SignedLinks {
  constructor(
    private readonly key: Buffer,
    private readonly purpose: string,
  ) {}

  /** The query string of a link to `id` valid until `expiresAt`. */
  query(id: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return `expires=${expires}&signature=${this.sign(id, expires)}`;
  }

  /** True when the link was issued by this server for `id` and this purpose, and has not expired at `now`. */
  verify(id: string, expires: unknown, signature: unknown, now: Date): boolean {
    if (typeof expires !== 'string' || typeof signature !== 'string') return false;
    if (!/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return false;
    const expected = Buffer.from(this.sign(id, Number(expires)));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    return Number(expires) * 1000 >= now.getTime();
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${this.purpose}:${id}:${expires}`).digest('base64url');
  }
}

/** Signed, short-lived download links: /documents/<id>/content?expires=<unix>&signature=<hmac>. */
export class DownloadLinks {
  private readonly links: SignedLinks;

  constructor(
    key: Buffer,
    private readonly clock: () => Date,
  ) {
    this.links = new SignedLinks(key, 'document-download');
  }

  urlFor(baseUrl: string, documentId: string): string {
    const expiresAt = new Date(this.clock().getTime() + DOWNLOAD_URL_TTL_SECONDS * 1000);
    return `${baseUrl}/documents/${documentId}/content?${this.links.query(documentId, expiresAt)}`;
  }

  /** True when the link was issued by this server for this document and has not expired. */
  verify(documentId: string, expires: string | undefined, signature: string | undefined): boolean {
    return this.links.verify(documentId, expires, signature, this.clock());
  }
}
