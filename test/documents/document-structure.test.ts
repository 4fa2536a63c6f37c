/**
 * How the server recognises a PDF, a PNG and a JPEG: by the structure at the start of the bytes,
 * never by a marker found somewhere inside (README, "Documents"). Pure: no server.
 */
import { crc32 } from 'node:zlib';
import { attachmentDisposition } from '../../src/http/document-downloads';
import { isJpeg, isPdf, isPng, recogniseContentType } from '../../src/modules/documents/document-content';
import { JPEG_BYTES, PDF_BYTES, PNG_BYTES } from '../support/fixtures';
import { pngWithText } from '../support/documents-helpers';

const HTML_WITH_PDF_MARKER = Buffer.from('<!DOCTYPE html><html><!-- %PDF-1.4 --><body><script>alert(document.cookie)</script></body></html>');
const SVG = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>');

/** The real 1x1 PNG with its IHDR chunk changed by `change`, the CRC recomputed unless told not to. */
function pngWithHeader(change: (ihdr: Buffer) => void, { fixCrc = true } = {}): Buffer {
  const bytes = Buffer.from(PNG_BYTES);
  const chunk = bytes.subarray(8, 33);
  change(chunk);
  if (fixCrc) chunk.writeUInt32BE(crc32(chunk.subarray(4, 21)), 21);
  return bytes;
}

describe('recognising a document from its bytes', () => {
  it.each([
    ['the smallest real PNG', PNG_BYTES, 'image/png'],
    ['a PNG whose metadata mentions %PDF-', pngWithText(PNG_BYTES, 'Comment', 'scanned from %PDF-1.7 original'), 'image/png'],
    ['a JPEG (SOI, APP0/JFIF, EOI)', JPEG_BYTES, 'image/jpeg'],
    ['a JPEG whose first marker follows fill bytes', Buffer.from([0xff, 0xd8, 0xff, 0xff, 0xe1, 0x00, 0x02, 0xff, 0xd9]), 'image/jpeg'],
    ['a JPEG starting with its quantisation table', Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0x00]), 'image/jpeg'],
    ['a PDF', PDF_BYTES, 'application/pdf'],
    ['a PDF 2.0', Buffer.from('%PDF-2.0\r\n%\xe2\xe3\xcf\xd3\r\n', 'latin1'), 'application/pdf'],
  ])('recognises %s', (_what, bytes, type) => {
    expect(recogniseContentType(bytes)).toBe(type);
  });

  describe('recognises none of the accepted types in', () => {
    it.each([
      ['HTML with %PDF- in a comment', HTML_WITH_PDF_MARKER],
      ['SVG', SVG],
      ['SVG with a PNG signature in a comment', Buffer.concat([Buffer.from('<svg><!-- '), PNG_BYTES, Buffer.from(' --></svg>')])],
      ['a PDF header after a byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), PDF_BYTES])],
      ['a PDF header after a space', Buffer.concat([Buffer.from(' '), PDF_BYTES])],
      ['a PDF header after junk within the first kilobyte', Buffer.concat([Buffer.from('<html>\n'), PDF_BYTES])],
      ['"%PDF-" with no version', Buffer.from('%PDF-<html><script>alert(1)</script></html>')],
      ['"%PDF-1" cut short', Buffer.from('%PDF-1')],
      ['empty bytes', Buffer.alloc(0)],
    ])('%s', (_what, bytes) => {
      expect(recogniseContentType(bytes)).toBeUndefined();
    });
  });

  describe('a PNG needs its signature followed by a whole, valid IHDR chunk', () => {
    it.each([
      ['the signature alone', PNG_BYTES.subarray(0, 8)],
      ['the signature and half an IHDR chunk', PNG_BYTES.subarray(0, 20)],
      ['an IHDR chunk without its CRC', PNG_BYTES.subarray(0, 29)],
      ['an IHDR chunk with a wrong CRC', pngWithHeader((ihdr) => ihdr.writeUInt32BE(0xdeadbeef, 21), { fixCrc: false })],
      ['another chunk first', pngWithHeader((ihdr) => ihdr.write('tEXt', 4, 'latin1'))],
      ['an IHDR chunk whose length is not 13', pngWithHeader((ihdr) => ihdr.writeUInt32BE(12, 0))],
      ['a width of 0', pngWithHeader((ihdr) => ihdr.writeUInt32BE(0, 8))],
      ['a height over 2^31-1', pngWithHeader((ihdr) => ihdr.writeUInt32BE(0x80000000, 12))],
      ['bit depth 3', pngWithHeader((ihdr) => (ihdr[16] = 3))],
      ['colour type 5', pngWithHeader((ihdr) => (ihdr[17] = 5))],
      ['16-bit palette colour', pngWithHeader((ihdr) => ((ihdr[16] = 16), (ihdr[17] = 3)))],
      ['compression method 1', pngWithHeader((ihdr) => (ihdr[18] = 1))],
      ['filter method 1', pngWithHeader((ihdr) => (ihdr[19] = 1))],
      ['interlace method 2', pngWithHeader((ihdr) => (ihdr[20] = 2))],
      ['a PNG signature followed by HTML', Buffer.concat([PNG_BYTES.subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')])],
    ])('refuses %s', (_what, bytes) => {
      expect(isPng(bytes)).toBe(false);
      expect(recogniseContentType(bytes)).toBeUndefined();
    });

    it('accepts each valid bit depth of each colour type', () => {
      const valid: Array<[number, number]> = [[0, 1], [0, 16], [2, 8], [2, 16], [3, 1], [3, 8], [4, 8], [4, 16], [6, 8], [6, 16]];
      for (const [colourType, bitDepth] of valid) {
        expect(isPng(pngWithHeader((ihdr) => ((ihdr[16] = bitDepth), (ihdr[17] = colourType))))).toBe(true);
      }
    });
  });

  describe('a JPEG needs SOI followed by a marker that can open a JPEG', () => {
    it.each([
      ['SOI alone', [0xff, 0xd8]],
      ['SOI and a lone FF (the old three-byte check)', [0xff, 0xd8, 0xff]],
      ['SOI, FF and a marker with no segment length', [0xff, 0xd8, 0xff, 0xe0]],
      ['SOI followed by HTML', [0xff, 0xd8, ...Buffer.from('<html><script>alert(1)</script>')]],
      ['SOI, FF and then HTML', [0xff, 0xd8, 0xff, ...Buffer.from('<html><script>alert(1)</script>')]],
      ['SOI then EOI: no image at all', [0xff, 0xd8, 0xff, 0xd9, 0x00, 0x00]],
      ['SOI then another SOI', [0xff, 0xd8, 0xff, 0xd8, 0x00, 0x10]],
      ['SOI then a restart marker', [0xff, 0xd8, 0xff, 0xd0, 0x00, 0x10]],
      ['SOI then a scan before any header', [0xff, 0xd8, 0xff, 0xda, 0x00, 0x0c]],
      ['SOI then a stuffed zero byte', [0xff, 0xd8, 0xff, 0x00, 0x00, 0x10]],
      ['SOI then a segment length below 2', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]],
      ['only fill bytes after SOI', [0xff, 0xd8, 0xff, 0xff, 0xff, 0xff]],
    ])('refuses %s', (_what, bytes) => {
      expect(isJpeg(Buffer.from(bytes))).toBe(false);
      expect(recogniseContentType(Buffer.from(bytes))).toBeUndefined();
    });
  });

  it('a PDF needs "%PDF-" and a version at offset 0', () => {
    expect(isPdf(Buffer.from('%PDF-1.7\n'))).toBe(true);
    expect(isPdf(Buffer.from('%PDF-x.y\n'))).toBe(false);
    expect(isPdf(Buffer.from('\n%PDF-1.7\n'))).toBe(false);
  });
});

describe('the Content-Disposition of a download', () => {
  it('is an attachment with an ASCII fallback and the UTF-8 name encoded per RFC 5987', () => {
    expect(attachmentDisposition('passport.png')).toBe(`attachment; filename="passport.png"; filename*=UTF-8''passport.png`);
    expect(attachmentDisposition(`Zoë's "scan" (1) 100%.pdf`)).toBe(
      `attachment; filename="Zo_'s _scan_ (1) 100_.pdf"; filename*=UTF-8''Zo%C3%AB%27s%20%22scan%22%20%281%29%20100%25.pdf`,
    );
  });

  it('never carries a control, bidirectional or invisible character, or a path, of a name stored before the rules', () => {
    expect(attachmentDisposition('invoice\u202efdp.exe')).toBe(`attachment; filename="invoicefdp.exe"; filename*=UTF-8''invoicefdp.exe`);
    expect(attachmentDisposition('a\r\nSet-Cookie: x=1')).toBe(`attachment; filename="aSet-Cookie: x=1"; filename*=UTF-8''aSet-Cookie%3A%20x%3D1`);
    expect(attachmentDisposition('../x\\y.pdf')).toBe(`attachment; filename=".._x_y.pdf"; filename*=UTF-8''.._x_y.pdf`);
    expect(attachmentDisposition('\u200b')).toBe(`attachment; filename="document"; filename*=UTF-8''document`);
  });
});
