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

/** A trimmed, non-empty string of at most `max` characters; undefined (with an error) otherwise. */
export function requiredText(errors: FieldErrors, path: Path, value: string | null | undefined, max: number): string | undefined {
  if (value === null || value === undefined || value.trim() === '') {
    return errors.add(path, 'REQUIRED', `${fieldName(path)} is required.`);
  }
  return checkedText(errors, path, value.trim(), max);
}

/** Like requiredText, but absent or blank is fine and gives null. */
export function optionalText(errors: FieldErrors, path: Path, value: string | null | undefined, max: number): string | null | undefined {
  if (value === null || value === undefined || value.trim() === '') return null;
  return checkedText(errors, path, value.trim(), max);
}

function checkedText(errors: FieldErrors, path: Path, text: string, max: number): string | undefined {
  if ([...text].length > max) {
    return errors.add(path, 'TOO_LONG', `${fieldName(path)} must be at most ${max} characters.`);
  }
  // Control characters have no place in names, addresses or file names and break logs and exports.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    return errors.add(path, 'INVALID_FORMAT', `${fieldName(path)} must not contain control characters.`);
  }
  return text;
}

/** Parses a calendar date YYYY-MM-DD that really exists (no 2023-02-30) into a UTC-midnight Date. */
export function calendarDate(errors: FieldErrors, path: Path, value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !date || date.toISOString().slice(0, 10) !== value.trim()) {
    return errors.add(path, 'INVALID_FORMAT', `${fieldName(path)} must be a real calendar date, YYYY-MM-DD.`);
  }
  return date;
}

export function dateOfBirth(errors: FieldErrors, path: Path, value: string, now: Date): Date | undefined {
  const date = calendarDate(errors, path, value);
  if (!date) return undefined;
  const today = now.toISOString().slice(0, 10);
  const oldest = new Date(Date.UTC(now.getUTCFullYear() - 131, now.getUTCMonth(), now.getUTCDate() + 1));
  if (value >= today || date < oldest) {
    return errors.add(path, 'OUT_OF_RANGE', 'dateOfBirth must be a past date, giving an age from 0 to 130.');
  }
  return date;
}

/** A date that is today or later (an expiry date given on add). */
export function futureOrTodayDate(errors: FieldErrors, path: Path, value: string, now: Date): Date | undefined {
  const date = calendarDate(errors, path, value);
  if (!date) return undefined;
  if (value < now.toISOString().slice(0, 10)) {
    return errors.add(path, 'EXPIRED', `${fieldName(path)} is in the past: the document has expired.`);
  }
  return date;
}

export function email(errors: FieldErrors, path: Path, value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length > 254 || !isEmail(trimmed, { allow_display_name: false, require_tld: true, allow_ip_domain: false })) {
    return errors.add(path, 'INVALID_FORMAT', 'email must be a valid email address.');
  }
  return trimmed.toLowerCase();
}

/** A mobile (or mobile-capable) number, returned in E.164. Needs a leading + and country code. */
export function mobilePhone(errors: FieldErrors, path: Path, value: string): string | undefined {
  const trimmed = value.trim();
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
  const code = value.trim().toUpperCase();
  if (code === '') return errors.add(path, 'REQUIRED', `${fieldName(path)} is required.`);
  if (!/^[A-Z]{2}$/.test(code)) {
    return errors.add(path, 'INVALID_FORMAT', `${fieldName(path)} must be an ISO 3166-1 alpha-2 country code, e.g. US.`);
  }
  if (!countries.isValid(code)) {
    return errors.add(path, 'INVALID_VALUE', `${fieldName(path)} "${code}" is not an ISO 3166-1 alpha-2 country code.`);
  }
  return code;
}

/** P.O. Box, PO BOX, Post Office Box, P. O. Box, POB 12, Postbox, BOX 123 ... */
const PO_BOX = /(^|[^a-z0-9])(p\s*\.?\s*o\s*\.?\s*b(ox)?|post\s*office\s*box|postbox|post\s+box|pob)(?![a-z])/i;
const LEADING_BOX = /^\s*box\s+#?\s*\d+/i;

export function isPoBox(line: string): boolean {
  return PO_BOX.test(line) || LEADING_BOX.test(line);
}
