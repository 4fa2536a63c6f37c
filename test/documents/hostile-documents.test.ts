/**
 * Uploads made to be mistaken for something else (issue 7): HTML with "%PDF-" in a comment, SVG,
 * polyglots and truncated headers declared as an accepted type, and file names that lie about
 * themselves. Each is refused with nothing stored; downloads stay `attachment` and `nosniff`.
 */
import { PDF_BYTES, PNG_BYTES, createClient } from '../support/fixtures';
import { addDocument, addPendingDocument, documentState } from '../support/documents-helpers';
import { TestApp, startTestApp } from '../support/test-app';

const HTML_WITH_PDF_MARKER = Buffer.from(
  '<!DOCTYPE html>\n<html><!-- %PDF-1.4 looks like a PDF to a marker search --><body><script>fetch("/graphql")</script></body></html>',
);
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><rect width="1" height="1"/></svg>');
/** An HTML page that carries a whole PDF after its markup: a PDF reader finds "%PDF-" within 1 KB, a browser renders the page. */
const HTML_PDF_POLYGLOT = Buffer.concat([Buffer.from('<html><body><script>alert(1)</script><!--\n'), PDF_BYTES, Buffer.from('--></body></html>')]);
/** An SVG that carries a PNG signature and IHDR chunk in a comment. */
const SVG_PNG_POLYGLOT = Buffer.concat([Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><!--'), PNG_BYTES, Buffer.from('--><script>alert(1)</script></svg>')]);

describe('uploads that only pretend to be an accepted type', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  it.each([
    ['HTML with %PDF- in a comment', 'application/pdf', HTML_WITH_PDF_MARKER],
    ['an HTML/PDF polyglot (the PDF after the markup)', 'application/pdf', HTML_PDF_POLYGLOT],
    ['SVG', 'application/pdf', SVG],
    ['SVG', 'image/png', SVG],
    ['SVG', 'image/jpeg', SVG],
    ['an SVG/PNG polyglot (the PNG header in a comment)', 'image/png', SVG_PNG_POLYGLOT],
    ['HTML', 'image/jpeg', Buffer.from('<html><script>alert(1)</script></html>')],
    ['a PNG cut inside its IHDR chunk', 'image/png', PNG_BYTES.subarray(0, 20)],
    ['a PNG signature followed by HTML', 'image/png', Buffer.concat([PNG_BYTES.subarray(0, 8), Buffer.from('<html><script>alert(1)</script></html>')])],
    ['a JPEG of three bytes (SOI and FF)', 'image/jpeg', Buffer.from([0xff, 0xd8, 0xff])],
    ['a JPEG SOI followed by HTML', 'image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<html><script>alert(1)</script></html>')])],
  ])('refuses %s declared as %s: CONTENT_TYPE_MISMATCH, nothing stored', async (_what, contentType, bytes) => {
    // given a client
    const client = await createClient(t);
    const before = await documentState(t, client.id);

    // when the bytes are uploaded as the declared type
    const result = await addDocument(t, client.id, { fileName: 'scan', contentType, contentBase64: bytes.toString('base64') });

    // then the bytes are refused, and nothing was written
    if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
    expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'contentBase64'], code: 'CONTENT_TYPE_MISMATCH' }]);
    expect(await documentState(t, client.id)).toEqual(before);
  });

  describe('file names', () => {
    it.each([
      ['the right-to-left override trick', 'invoice\u202efdp.exe', 'INVALID_VALUE'],
      ['a right-to-left isolate', 'scan\u2067fdp.exe', 'INVALID_VALUE'],
      ['a zero-width space', 'passport\u200b.png', 'INVALID_VALUE'],
      ['a zero-width joiner between letters (allowed in names, never in file names)', 'pass\u200dport.png', 'INVALID_VALUE'],
      ['a line break', 'passport.png\r\nX-Evil: 1', 'INVALID_VALUE'],
      ['a path', '../../etc/passwd', 'INVALID_FORMAT'],
      ['a Windows path', 'C:\\Users\\scan.png', 'INVALID_FORMAT'],
      ['".."', '..', 'INVALID_FORMAT'],
      ['256 characters', `${'a'.repeat(252)}.png`, 'TOO_LONG'],
    ])('refuses %s, storing nothing', async (_what, fileName, code) => {
      const client = await createClient(t);
      const before = await documentState(t, client.id);

      const result = await addDocument(t, client.id, { fileName });

      if (result.__typename !== 'ValidationError') throw new Error(JSON.stringify(result));
      expect(result.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'fileName'], code }]);
      expect(await documentState(t, client.id)).toEqual(before);
    });

    it('stores a name typed decomposed and padded as trimmed NFC, up to 255 characters', async () => {
      const client = await createClient(t);

      const decomposed = await addPendingDocument(t, client.id, { fileName: '  Zoe\u0308 passport.png ' });
      const longest = await addPendingDocument(t, client.id, { fileName: `${'a'.repeat(251)}.png` });

      expect(decomposed.fileName).toBe('Zo\u00eb passport.png');
      expect(longest.fileName).toHaveLength(255);
    });
  });

  describe('the download', () => {
    it('stays an attachment, not sniffed, with the name encoded per RFC 6266 and RFC 5987', async () => {
      const client = await createClient(t);
      const document = await addPendingDocument(t, client.id, { fileName: `Zoë's passport (1).png` });

      const response = await fetch(document.downloadUrl);
      await response.arrayBuffer();

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Zo_'s passport (1).png"; filename*=UTF-8''Zo%C3%AB%27s%20passport%20%281%29.png`);
    });

    it('drops the bidirectional override of a file name stored before the rules existed', async () => {
      // given a document whose name was stored with a right-to-left override, as the API once allowed
      const client = await createClient(t);
      const document = await addPendingDocument(t, client.id, { fileName: 'invoice.png' });
      await t.app.database.prisma.document.update({ where: { id: document.id }, data: { fileName: 'invoice\u202efdp.exe' } });

      // when it is downloaded
      const response = await fetch(document.downloadUrl);
      await response.arrayBuffer();

      // then the header names it without the override, so it cannot pass for "invoiceexe.pdf"
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="invoicefdp.exe"; filename*=UTF-8''invoicefdp.exe`);
    });
  });
});
