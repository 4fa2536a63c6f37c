import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a document's downloadUrl stays valid. */
export const DOWNLOAD_URL_TTL_SECONDS = 5 * 60;

/**
 * Signed, short-lived download links: /documents/<id>/content?expires=<unix>&signature=<hmac>.
 * The signature covers the id and the expiry, so neither can be altered.
 */
export class DownloadLinks {
  constructor(
    private readonly key: Buffer,
    private readonly clock: () => Date,
  ) {}

  urlFor(baseUrl: string, documentId: string): string {
    const expires = Math.floor(this.clock().getTime() / 1000) + DOWNLOAD_URL_TTL_SECONDS;
    return `${baseUrl}/documents/${documentId}/content?expires=${expires}&signature=${this.sign(documentId, expires)}`;
  }

  /** True when the link was issued by this server for this document and has not expired. */
  verify(documentId: string, expires: string | undefined, signature: string | undefined): boolean {
    if (!expires || !signature || !/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return false;
    const expected = Buffer.from(this.sign(documentId, Number(expires)));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
    return Number(expires) * 1000 >= this.clock().getTime();
  }

  private sign(documentId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`document-download:${documentId}:${expires}`).digest('base64url');
  }
}
