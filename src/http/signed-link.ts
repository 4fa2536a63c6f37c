import type { Request } from 'express';

/**
 * The `expires` and `signature` of a signed link (a download or an upload URL), when the request is
 * exactly such a link: the path as it was signed (no trailing slash, which Express's routing would
 * otherwise let through) and those two query parameters, once each, and nothing else. Any other
 * shape is an altered link, refused as a wrong signature is; like a presigned object-storage URL,
 * whose signature covers its whole query.
 */
export function signedLinkParameters(req: Request): { expires: string; signature: string } | null {
  if (req.path.endsWith('/')) return null;
  const queryAt = req.originalUrl.indexOf('?');
  if (queryAt < 0) return null;
  // The raw query, so that an empty part (a stray `&`) counts as an alteration too.
  const parts = req.originalUrl.slice(queryAt + 1).split('&');
  if (parts.length !== 2) return null;
  const query = new URLSearchParams(req.originalUrl.slice(queryAt + 1));
  const expires = query.getAll('expires');
  const signature = query.getAll('signature');
  if (expires.length !== 1 || signature.length !== 1) return null;
  return { expires: expires[0], signature: signature[0] };
}
