/**
 * What a string too long to keep reads as after an oversized request body was read without it
 * (src/http/oversized-body.ts): this mark, then the string's length in bytes. It opens with a control
 * character, so every text field refuses it (INVALID_VALUE), and a document's content answers
 * TOO_LARGE. A caller who sends it gets no more than that. It is the same in every process, so a
 * retried request hashes the same for its Idempotency-Key on any instance.
 */
export const OVERSIZED_STRING_MARK = '\u0000oversized:';

/** The length in bytes of the string `value` stands for, when it is an oversized string's mark. */
export function oversizedStringBytes(value: string): number | undefined {
  if (!value.startsWith(OVERSIZED_STRING_MARK)) return undefined;
  const bytes = Number(value.slice(OVERSIZED_STRING_MARK.length));
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}
