/**
 * The three accepted file types have fixed signatures, so the check is done here directly
 * rather than with an ESM-only sniffing library (see README): the bytes decide, never the
 * declared content type.
 */
import { FieldErrors } from '../../shared/validation';

export const ACCEPTED_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AcceptedContentType = (typeof ACCEPTED_CONTENT_TYPES)[number];
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export function sniffContentType(bytes: Buffer): AcceptedContentType | undefined {
  // The image signatures sit at offset 0, so they decide first: an image whose metadata happens
  // to hold "%PDF-" is still an image.
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  // PDF: "%PDF-" within the first 1024 bytes (the spec allows leading junk; readers accept it).
  if (bytes.subarray(0, 1024).includes(Buffer.from('%PDF-'))) return 'application/pdf';
  return undefined;
}

export function acceptedContentType(errors: FieldErrors, path: string[], declared: string): AcceptedContentType | undefined {
  const type = declared.trim().toLowerCase().split(';')[0].trim();
  const normalised = type === 'image/jpg' ? 'image/jpeg' : type;
  if (!(ACCEPTED_CONTENT_TYPES as readonly string[]).includes(normalised)) {
    return errors.add(path, 'UNSUPPORTED_CONTENT_TYPE', `contentType must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')}.`);
  }
  return normalised as AcceptedContentType;
}

const MAX_BASE64_CHARS = Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4;

/** Strict base64 (standard alphabet, padding optional, whitespace ignored), at most MAX_DOCUMENT_BYTES decoded. */
export function decodeDocumentContent(errors: FieldErrors, path: string[], base64: string): Buffer | undefined {
  const compact = withoutDataUrlPrefix(base64.replace(/\s/g, ''));
  if (compact === '') return errors.add(path, 'REQUIRED', 'contentBase64 is empty: the file has no bytes.');
  // Refuse by length before decoding, so an oversized upload is not decoded at all.
  if (compact.length > MAX_BASE64_CHARS) {
    return errors.add(path, 'TOO_LARGE', `The file is larger than ${MAX_DOCUMENT_BYTES} bytes (10 MiB).`);
  }
  if (!isBase64(compact)) {
    return errors.add(path, 'INVALID_FORMAT', 'contentBase64 is not valid base64.');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    return errors.add(path, 'TOO_LARGE', `The file is ${bytes.length} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes (10 MiB).`);
  }
  return bytes;
}

/**
 * Standard-alphabet base64 with optional padding. A loop, not a regular expression: on a 14 MB
 * string V8's regexp interpreter can run out of backtracking stack before the regexp is compiled
 * to native code, which made the same upload succeed or fail depending on warm-up.
 */
function isBase64(text: string): boolean {
  let end = text.length;
  if (text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (text.charCodeAt(end - 1) === 61) end--;
  if (end === 0 || text.length % 4 === 1) return false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const valid =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 /* + */ || c === 47; /* / */
    if (!valid) return false;
  }
  return true;
}

/** Accepts a data URL ("data:image/png;base64,....") as well as bare base64. */
function withoutDataUrlPrefix(text: string): string {
  if (!text.startsWith('data:')) return text;
  const comma = text.indexOf(',', 0);
  return comma > 0 && comma < 200 && text.slice(0, comma).endsWith(';base64') ? text.slice(comma + 1) : text;
}
