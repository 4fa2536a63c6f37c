/**
 * The reader of request bodies over BODY_LIMIT_BYTES (src/http/oversized-body.ts): the JSON comes
 * out the same but for its strings over the most kept, whichever way the chunks cut the text.
 * Through the server: test/documents/document-size-limit.test.ts.
 */
import { LongStringScanner } from '../../src/http/oversized-body';
import { OVERSIZED_STRING_MARK, oversizedStringBytes } from '../../src/shared/oversized';

/** The scanner's text for `json` cut into chunks of `size` bytes. */
function scanned(json: string, max: number, size: number): string {
  const scanner = new LongStringScanner(max);
  const bytes = Buffer.from(json);
  for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  return scanner.text();
}

describe('LongStringScanner', () => {
  const value = {
    query: 'mutation($i: AddDocumentInput!) { addDocument(input: $i) { __typename } }',
    variables: { i: { fileName: 'é "quoted" \\ back\\slash \u2028 😀.png', contentBase64: 'QUJD'.repeat(100), n: [1, 2.5, true, null, {}] } },
  };
  const json = JSON.stringify(value);

  it.each([1, 2, 3, 7, 64, 100_000])('keeps short strings, escapes and multi-byte characters as they were, in chunks of %i bytes', (size) => {
    expect(scanned(json, 1000, size)).toBe(json);
  });

  it.each([1, 5, 64, 100_000])('replaces a string over the most kept by its mark and length, in chunks of %i bytes', (size) => {
    const text = scanned(json, 100, size);
    const parsed = JSON.parse(text);

    expect(oversizedStringBytes(parsed.variables.i.contentBase64)).toBe(400);
    expect(parsed.variables.i.contentBase64.startsWith(OVERSIZED_STRING_MARK)).toBe(true);
    expect(parsed.variables.i.fileName).toBe(value.variables.i.fileName);
    expect(parsed.query).toBe(value.query);
    expect(parsed.variables.i.n).toEqual(value.variables.i.n);
  });

  it('counts the escaped bytes of a long string, with escaped quotes and backslashes inside it', () => {
    const long = `${'\\'.repeat(10)}"${'x'.repeat(50)}"`;
    const text = scanned(JSON.stringify({ long, after: 'kept' }), 20, 3);
    const parsed = JSON.parse(text);
    expect(oversizedStringBytes(parsed.long)).toBe(JSON.stringify(long).length - 2);
    expect(parsed.after).toBe('kept');
  });

  it('reads a mark only when it is one: the mark opens with a control character, which every text field refuses', () => {
    expect(OVERSIZED_STRING_MARK.charCodeAt(0)).toBe(0);
    expect(oversizedStringBytes('oversized:12')).toBeUndefined();
    expect(oversizedStringBytes(`${OVERSIZED_STRING_MARK}x`)).toBeUndefined();
    expect(oversizedStringBytes(`${OVERSIZED_STRING_MARK}27962028`)).toBe(27962028);
  });
});
