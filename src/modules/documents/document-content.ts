/**
 * What a document's bytes are, decided by their structure at the start of the file, never by a
 * marker found somewhere inside it (README, "Documents"): HTML with "%PDF-" in a comment, SVG, or
 * a truncated header is none of the accepted types. Three small parsers rather than the
 * `file-type` package, which is ESM-only and cannot be loaded by this CommonJS build and its tests.
 */
import { crc32 } from 'node:zlib';
import { oversizedStringBytes } from '../../shared/oversized';
import { FieldErrors, hygienicText } from '../../shared/validation';

export const ACCEPTED_CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AcceptedContentType = (typeof ACCEPTED_CONTENT_TYPES)[number];
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** The accepted type whose structure the bytes have, if any (at most one can match: they differ from the first byte). */
export function recogniseContentType(bytes: Buffer): AcceptedContentType | undefined {
  if (isPng(bytes)) return 'image/png';
  if (isJpeg(bytes)) return 'image/jpeg';
  if (isPdf(bytes)) return 'application/pdf';
  return undefined;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bit depths allowed for each PNG colour type (PNG specification, 11.2.2). */
const PNG_BIT_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/**
 * A PNG: the 8-byte signature, then an IHDR chunk first, whole and valid: length 13, width and
 * height 1 to 2^31-1, a bit depth allowed for the colour type, compression 0, filter 0,
 * interlace 0 or 1, and a CRC that matches.
 */
export function isPng(bytes: Buffer): boolean {
  if (bytes.length < 8 + 25 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
  const chunk = bytes.subarray(8, 8 + 25);
  if (chunk.readUInt32BE(0) !== 13 || chunk.toString('latin1', 4, 8) !== 'IHDR') return false;
  const width = chunk.readUInt32BE(8);
  const height = chunk.readUInt32BE(12);
  const [bitDepth, colourType, compression, filter, interlace] = chunk.subarray(16, 21);
  return (
    width >= 1 && width <= 0x7fffffff &&
    height >= 1 && height <= 0x7fffffff &&
    (PNG_BIT_DEPTHS[colourType]?.includes(bitDepth) ?? false) &&
    compression === 0 && filter === 0 && (interlace === 0 || interlace === 1) &&
    crc32(chunk.subarray(4, 21)) === chunk.readUInt32BE(21)
  );
}

/**
 * A JPEG: SOI (FF D8), then a marker (FF xx, fill bytes FF allowed) that can open a JPEG's
 * header, with its two-byte segment length: an APPn, a table, a frame header or a comment; not
 * a restart, a second SOI, an EOI or a scan before any header. A trailer after the image is not
 * checked (see README, "Decisions").
 */
export function isJpeg(bytes: Buffer): boolean {
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return false;
  let at = 2;
  if (bytes[at] !== 0xff) return false;
  while (bytes[at] === 0xff) at++;
  const marker = bytes[at];
  if (marker === undefined || at + 2 >= bytes.length) return false;
  const opensHeader = marker >= 0xc0 && marker <= 0xfe && !(marker >= 0xd0 && marker <= 0xda) && marker !== 0xc8;
  return opensHeader && bytes.readUInt16BE(at + 1) >= 2;
}

/** A PDF: the header "%PDF-" and a version (n.n) at the very start, as the PDF specification puts it. */
export function isPdf(bytes: Buffer): boolean {
  return (
    bytes.length >= 8 &&
    bytes.toString('latin1', 0, 5) === '%PDF-' &&
    isDigit(bytes[5]) && bytes[6] === 0x2e /* . */ && isDigit(bytes[7])
  );
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

export function acceptedContentType(errors: FieldErrors, path: string[], declared: string): AcceptedContentType | undefined {
  const text = hygienicText(errors, path, declared, 'token');
  if (text === undefined) return undefined;
  const type = text.toLowerCase().split(';')[0].trim();
  const normalised = type === 'image/jpg' ? 'image/jpeg' : type;
  if (!(ACCEPTED_CONTENT_TYPES as readonly string[]).includes(normalised)) {
    return errors.add(path, 'UNSUPPORTED_CONTENT_TYPE', `contentType must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')}.`);
  }
  return normalised as AcceptedContentType;
}

const MAX_BASE64_CHARS = Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4;

/** Strict base64 (standard alphabet, padding optional, whitespace ignored), at most MAX_DOCUMENT_BYTES decoded. */
export function decodeDocumentContent(errors: FieldErrors, path: string[], base64: string): Buffer | undefined {
  // Left out of a request body far over the limit (src/http/oversized-body.ts): only its length is
  // known. (A caller sending the mark itself gets this answer, and no more.)
  const oversized = oversizedStringBytes(base64);
  if (oversized !== undefined) {
    return errors.add(path, 'TOO_LARGE', `The file is larger than ${MAX_DOCUMENT_BYTES} bytes (10 MiB): its base64 alone is ${oversized} bytes.`);
  }
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
