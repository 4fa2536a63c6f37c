/**
 * Input checking for every mutation: each problem becomes one FieldError (path, message, code)
 * and all problems of one input are reported together.
 */
import countries from 'i18n-iso-countries';
import isEmail from 'validator/lib/isEmail';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Why one input value was refused: the GraphQL enum FieldErrorCode, stable for clients to switch on. */
export const FIELD_ERROR_CODES = [
  'REQUIRED',
  'TOO_LONG',
  'INVALID_FORMAT',
  'INVALID_VALUE',
  'OUT_OF_RANGE',
  'EXPIRED',
  'PO_BOX_NOT_ALLOWED',
  'NOT_A_MOBILE_NUMBER',
  'UNSUPPORTED_CONTENT_TYPE',
  'CONTENT_TYPE_MISMATCH',
  'TOO_LARGE',
  'NOT_PENDING_REVIEW',
  'NO_CONTACT_TO_VERIFY',
  'ALREADY_VERIFIED',
  'SIZE_MISMATCH',
  'SHA256_MISMATCH',
  'UPLOAD_NOT_FOUND',
  'UPLOAD_ALREADY_USED',
  'UPLOAD_INCOMPLETE',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

export interface FieldError {
  path: string[];
  message: string;
  code: FieldErrorCode;
}

export class FieldErrors {
  readonly list: FieldError[] = [];

  add(path: readonly string[], code: FieldErrorCode, message: string): undefined {
    this.list.push({ path: [...path], code, message });
    return undefined;
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }
}

type Path = readonly string[];
const fieldName = (path: Path) => path[path.length - 1];

/**
 * What a text field holds decides which characters it may hold (README, "Text hygiene"):
 * - `words`: human language (names, address lines, city, region). The zero-width non-joiner and
 *   joiner (U+200C, U+200D) are allowed between two letters or symbols: Persian and Indic names
 *   and emoji sequences are spelled with them.
 * - `paragraph`: words over several lines (a rejection reason). Line breaks are kept, as LF.
 * - `token`: identifiers, file names, codes, addresses of other kinds (externalId, fileName,
 *   postalCode, email, ...). No joiners anywhere: nothing invisible may tell two values apart.
 */
export type TextKind = 'words' | 'paragraph' | 'token';

export interface TextRule {
  kind: TextKind;
  /** Counted in Unicode code points, after normalisation and trimming. */
  max: number;
}

export type NormalisedText = { ok: true; text: string } | { ok: false; character: string; codePoint: number };

/**
 * Characters no text field may hold: controls (Cc), format characters (Cf: the bidirectional
 * controls U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069 and every invisible one, U+00AD,
 * U+200B, U+2060, U+FEFF, ...), lone surrogates (Cs: not Unicode, PostgreSQL cannot store them),
 * line and paragraph separators (Zl, Zp), and the characters outside Cf that render as nothing:
 * the Hangul fillers (letters), the braille blank U+2800 (a symbol), the combining grapheme joiner
 * U+034F and the Khmer inherent vowels U+17B4, U+17B5 (marks): classic ways to make a "blank" name
 * that is not blank, or two values that look the same.
 */
const UNWANTED = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5]/gu;
const BIDI_CONTROLS = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const ZERO_WIDTH_NON_JOINER = 0x200c;
const ZERO_WIDTH_JOINER = 0x200d;
const LETTER_OR_SYMBOL = /^[\p{L}\p{S}]$/u;
const MARK = /^\p{M}$/u;

/**
 * The one text rule: Unicode NFC, then refusal of unwanted characters (see UNWANTED), then
 * trimming. Trimming comes last so that a control character is refused wherever it is, and what
 * is trimmed is only ordinary spacing (Unicode space separators).
 */
export function normalisedText(value: string, kind: TextKind): NormalisedText {
  let text = value.normalize('NFC');
  if (kind === 'paragraph') text = text.replace(/\r\n?/g, '\n');
  for (const match of text.matchAll(UNWANTED)) {
    const codePoint = match[0].codePointAt(0)!;
    if (kind === 'paragraph' && codePoint === 0x0a) continue;
    const joiner = codePoint === ZERO_WIDTH_NON_JOINER || codePoint === ZERO_WIDTH_JOINER;
    if (joiner && kind !== 'token' && joinsLettersOrSymbols(text, match.index!)) continue;
    return { ok: false, character: describeUnwanted(codePoint, joiner && kind !== 'token'), codePoint };
  }
  return { ok: true, text: text.trim() };
}

/**
 * `text` without the characters normalisedText refuses (as a token: joiners too), for values
 * stored before the rule existed that must still be shown safely, such as a download's file name.
 */
export function withoutUnwantedCharacters(text: string): string {
  return text.normalize('NFC').replace(UNWANTED, '');
}

/** Whether the joiner at `index` stands between a letter or symbol (with its marks) and a letter or symbol. */
function joinsLettersOrSymbols(text: string, index: number): boolean {
  let before = index;
  let previous: string | undefined;
  do {
    if (before === 0) return false;
    const low = text.charCodeAt(before - 1);
    before -= low >= 0xdc00 && low <= 0xdfff && before >= 2 ? 2 : 1;
    previous = String.fromCodePoint(text.codePointAt(before)!);
  } while (MARK.test(previous)); // a virama, a vowel sign or an emoji variation selector belongs to the letter before it
  const next = text.codePointAt(index + 1);
  return LETTER_OR_SYMBOL.test(previous) && next !== undefined && LETTER_OR_SYMBOL.test(String.fromCodePoint(next));
}

function describeUnwanted(codePoint: number, joinerInWords: boolean): string {
  if (joinerInWords) return 'a zero-width joiner or non-joiner that is not between two letters or symbols';
  if (BIDI_CONTROLS.has(codePoint)) return 'bidirectional control characters';
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'lone surrogates (not Unicode text)';
  if (codePoint === 0x2028 || codePoint === 0x2029) return 'line or paragraph separators';
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'control characters';
  return 'invisible characters';
}

const codePointName = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** normalisedText, recording INVALID_VALUE on `path` when the text is refused. */
export function hygienicText(errors: FieldErrors, path: Path, value: string, kind: TextKind): string | undefined {
  const result = normalisedText(value, kind);
  if (!result.ok) {
    return errors.add(path, 'INVALID_VALUE', `${fieldName(path)} must not contain ${result.character} (${codePointName(result.codePoint)}).`);
  }
  return result.text;
}

/** Whether an optional value counts as not given: absent, empty or only spaces. */
export function isBlank(value: string | null | undefined): boolean {
  return value === null || value === undefined || /^\p{Zs}*$/u.test(value);
}

/** A normalised (see normalisedText), non-empty text of at most `rule.max` characters; undefined (with an error) otherwise. */
export function requiredText(errors: FieldErrors, path: Path, value: string | null | undefined, rule: TextRule): string | undefined {
  const text = value === null || value === undefined ? '' : hygienicText(errors, path, value, rule.kind);
  if (text === '') return errors.add(path, 'REQUIRED', `${fieldName(path)} is required.`);
  return text === undefined ? undefined : withinLength(errors, path, text, rule.max);
}

/** Like requiredText, but absent or blank is fine and gives null. */
export function optionalText(errors: FieldErrors, path: Path, value: string | null | undefined, rule: TextRule): string | null | undefined {
  if (value === null || value === undefined) return null;
  const text = hygienicText(errors, path, value, rule.kind);
  if (text === '') return null;
  return text === undefined ? undefined : withinLength(errors, path, text, rule.max);
}

function withinLength(errors: FieldErrors, path: Path, text: string, max: number): string | undefined {
  if (codePointCount(text) > max) return errors.add(path, 'TOO_LONG', `${fieldName(path)} must be at most ${max} characters.`);
  return text;
}

function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

export const FILE_NAME_MAX = 255;

/**
 * A file name as a person would type it: a text without joiners, no path (no / or \, not . or
 * ..), at most 255 characters. `invoice\u202Efdp.exe` (shown as "invoiceexe.pdf") is refused
 * with the other invisible and bidirectional characters.
 */
export function fileName(errors: FieldErrors, path: Path, value: string): string | undefined {
  const name = requiredText(errors, path, value, { kind: 'token', max: FILE_NAME_MAX });
  if (name !== undefined && (/[/\\]/.test(name) || name === '.' || name === '..')) {
    return errors.add(path, 'INVALID_FORMAT', `${fieldName(path)} is a name, not a path: no / or \\, and not . or ...`);
  }
  return name;
}

/**
 * Parses a calendar date YYYY-MM-DD that really exists (no 2023-02-30) into a UTC-midnight Date.
 * Surrounding spaces (Unicode space separators) are trimmed, as in every text; anything else
 * around the date is INVALID_FORMAT. Every rule on dates compares the parsed Date, never the text
 * (" 2099-12-31" once passed the future check as a string that sorts before "2026-...").
 */
export function calendarDate(errors: FieldErrors, path: Path, value: string): Date | undefined {
  const text = value.replace(/^\p{Zs}+|\p{Zs}+$/gu, '');
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = match ? utcDate(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
  if (!date || isoDay(date) !== text) {
    return errors.add(path, 'INVALID_FORMAT', `${fieldName(path)} must be a real calendar date, YYYY-MM-DD.`);
  }
  return date;
}

/** UTC midnight of a day; setUTCFullYear because Date.UTC reads years 0-99 as 1900-1999. */
function utcDate(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const startOfUtcDay = (now: Date) => utcDate(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

export function dateOfBirth(errors: FieldErrors, path: Path, value: string, now: Date): Date | undefined {
  const date = calendarDate(errors, path, value);
  if (!date) return undefined;
  const today = startOfUtcDay(now);
  const oldest = utcDate(now.getUTCFullYear() - 131, now.getUTCMonth(), now.getUTCDate() + 1);
  if (date.getTime() >= today.getTime() || date.getTime() < oldest.getTime()) {
    return errors.add(path, 'OUT_OF_RANGE', 'dateOfBirth must be a past date, giving an age from 0 to 130.');
  }
  return date;
}

/** A date that is today or later (an expiry date given on add). */
export function futureOrTodayDate(errors: FieldErrors, path: Path, value: string, now: Date): Date | undefined {
  const date = calendarDate(errors, path, value);
  if (!date) return undefined;
  if (date.getTime() < startOfUtcDay(now).getTime()) {
    return errors.add(path, 'EXPIRED', `${fieldName(path)} is in the past: the document has expired.`);
  }
  return date;
}

export function email(errors: FieldErrors, path: Path, value: string): string | undefined {
  const trimmed = hygienicText(errors, path, value, 'token');
  if (trimmed === undefined) return undefined;
  if (trimmed.length > 254 || !isEmail(trimmed, { allow_display_name: false, require_tld: true, allow_ip_domain: false })) {
    return errors.add(path, 'INVALID_FORMAT', 'email must be a valid email address.');
  }
  return trimmed.toLowerCase();
}

/** A mobile (or mobile-capable) number, returned in E.164. Needs a leading + and country code. */
export function mobilePhone(errors: FieldErrors, path: Path, value: string): string | undefined {
  const trimmed = hygienicText(errors, path, value, 'token');
  if (trimmed === undefined) return undefined;
  const phone = trimmed.length <= 32 ? parsePhoneNumberFromString(trimmed) : undefined;
  if (!phone || !phone.isValid()) {
    return errors.add(path, 'INVALID_FORMAT', 'mobilePhone must be a valid phone number in international format, e.g. +14155550100.');
  }
  const type = phone.getType();
  // Some numbering plans (the US, Canada) cannot tell mobile from fixed lines: those are FIXED_LINE_OR_MOBILE.
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') {
    return errors.add(path, 'NOT_A_MOBILE_NUMBER', `mobilePhone is a ${type ? type.toLowerCase().replace(/_/g, ' ') : 'non-mobile'} number, not a mobile number.`);
  }
  return phone.number;
}

/** An ISO 3166-1 alpha-2 code of a real country, any case in, upper case out. */
export function countryCode(errors: FieldErrors, path: Path, value: string): string | undefined {
  const text = hygienicText(errors, path, value, 'token');
  if (text === undefined) return undefined;
  const code = text.toUpperCase();
  if (code === '') return errors.add(path, 'REQUIRED', `${fieldName(path)} is required.`);
  if (!/^[A-Z]{2}$/.test(code)) {
    return errors.add(path, 'INVALID_FORMAT', `${fieldName(path)} must be an ISO 3166-1 alpha-2 country code, e.g. US.`);
  }
  if (!countries.isValid(code)) {
    return errors.add(path, 'INVALID_VALUE', `${fieldName(path)} "${code}" is not an ISO 3166-1 alpha-2 country code.`);
  }
  return code;
}

// Between the parts of a PO box: spaces, dots, hyphens or slashes (P.O. Box, PO-Box, P/O Box).
const SEP = String.raw`[\s./-]*`;
/**
 * P.O. Box, PO BOX, PO-Box, P/O Box, Post Office Box, Post-Office Box, Postal Box, P. O. Box,
 * P.0. Box (a zero for the O), POB 12, P.O.B., Postbox, Caller Box, Lock Box, Postfach ...
 * (not "P0B" alone: Canadian postal codes start so).
 */
const PO_BOX = new RegExp(
  String.raw`(^|[^a-z0-9])(p${SEP}[o0]${SEP}box|p${SEP}o${SEP}b|post${SEP}office${SEP}box|postal${SEP}box|post${SEP}box|caller${SEP}box|lock${SEP}box|postfach)(?![a-z])`,
  'i',
);
/** A line that starts with a box number: BOX 123, Box #12, BOX12. */
const LEADING_BOX = /^\s*box\s*#?\s*\d+/i;

/** Whether an address line is a post-office box; compatibility forms (fullwidth letters) count as their plain letters. */
export function isPoBox(line: string): boolean {
  const plain = line.normalize('NFKC');
  return PO_BOX.test(plain) || LEADING_BOX.test(plain);
}
