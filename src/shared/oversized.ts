import { randomUUID } from 'node:crypto';

/**
 * What a string too long to keep reads as after an oversized request body was read without it
 * (src/http/oversized-body.ts): this mark, then the string's length in bytes. The mark is made per
 * process, so no caller can send it, and it opens with a control character, so every text field
 * refuses it (INVALID_VALUE); a document's content answers TOO_LARGE.
 */
export const OVERSIZED_STRING_MARK = `\u0000oversized-${randomUUID()}:`;

/** The length in bytes of the string `value` stands for, when it is an oversized string's mark. */
export function oversizedStringBytes(value: string): number | undefined {
  if (!value.startsWith(OVERSIZED_STRING_MARK)) return undefined;
  return Number(value.slice(OVERSIZED_STRING_MARK.length));
}
