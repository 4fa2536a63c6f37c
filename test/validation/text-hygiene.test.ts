/**
 * The text rules of the validation layer, one rule at a time, without a server (README, "Text
 * hygiene"): NFC, trimming, refusal of control, bidirectional and invisible characters, the
 * joiners that real names need, lengths after normalisation, file names and dates.
 */
import {
  FieldErrors,
  TextKind,
  calendarDate,
  countryCode,
  dateOfBirth,
  email,
  fileName,
  futureOrTodayDate,
  mobilePhone,
  normalisedText,
  optionalText,
  requiredText,
  withoutUnwantedCharacters,
} from '../../src/shared/validation';

const NOW = new Date('2026-03-15T10:00:00Z');
const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** What requiredText makes of `value` as a field of `kind`: the text, or the codes recorded. */
function required(value: string | null | undefined, kind: TextKind = 'words', max = 100) {
  const errors = new FieldErrors();
  const text = requiredText(errors, ['input', 'firstName'], value, { kind, max });
  return errors.isEmpty ? { text } : { codes: errors.list.map((error) => error.code), messages: errors.list.map((error) => error.message) };
}

const BIDI_CONTROLS = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const NAMED_INVISIBLE = [0x00ad, 0x200b, 0x2060, 0xfeff];
/** Other format characters (Cf): Mongolian vowel separator, invisible operators, interlinear annotation, language tag, tags, ... */
const OTHER_FORMAT = [0x180e, 0x2061, 0x2062, 0x2063, 0x2064, 0x206a, 0x206f, 0xfff9, 0xfffb, 0x110bd, 0x1d173, 0xe0001, 0xe0041];
const CONTROLS = [0x00, 0x01, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f];

describe('text hygiene', () => {
  describe('normalisation', () => {
    it('stores text in Unicode NFC: "Zoë" typed as e + combining diaeresis is stored precomposed', () => {
      expect(required('Zoe\u0308')).toEqual({ text: 'Zo\u00eb' });
      expect(required('\u1100\u1161')).toEqual({ text: '\uac00' }); // Hangul jamo compose to one syllable
    });

    it('counts the length limit after normalisation, in code points', () => {
      // 100 letters with combining accents are 200 code points as typed, 100 once composed
      expect(required('e\u0301'.repeat(100))).toEqual({ text: '\u00e9'.repeat(100) });
      expect(required('e\u0301'.repeat(101)).codes).toEqual(['TOO_LONG']);
      // an astral character (an emoji) counts once, not as its two UTF-16 halves
      expect(required('😀'.repeat(100))).toEqual({ text: '😀'.repeat(100) });
      expect(required('😀'.repeat(101)).codes).toEqual(['TOO_LONG']);
    });

    it('counts the length after trimming', () => {
      expect(required(`  ${'a'.repeat(100)}  `)).toEqual({ text: 'a'.repeat(100) });
    });
  });

  describe('trimming', () => {
    it.each([
      ['spaces', '  Ada  '],
      ['no-break spaces', '\u00a0Ada\u00a0'],
      ['an ideographic space and an em space', '\u3000Ada\u2003'],
    ])('trims %s around the text', (_what, value) => {
      expect(required(value)).toEqual({ text: 'Ada' });
    });

    it('keeps spaces inside the text', () => {
      expect(required(' Ada  King ')).toEqual({ text: 'Ada  King' });
    });

    it('treats a text of spaces only as blank: REQUIRED, or null when optional', () => {
      expect(required('   \u00a0 ').codes).toEqual(['REQUIRED']);
      expect(required('').codes).toEqual(['REQUIRED']);
      expect(required(null).codes).toEqual(['REQUIRED']);
      expect(required(undefined).codes).toEqual(['REQUIRED']);
      const errors = new FieldErrors();
      expect(optionalText(errors, ['input', 'line2'], '  ', { kind: 'words', max: 10 })).toBeNull();
      expect(optionalText(errors, ['input', 'line2'], null, { kind: 'words', max: 10 })).toBeNull();
      expect(optionalText(errors, ['input', 'line2'], undefined, { kind: 'words', max: 10 })).toBeNull();
      expect(errors.isEmpty).toBe(true);
    });
  });

  describe('refuses with INVALID_VALUE', () => {
    it.each(CONTROLS.map((codePoint) => [hex(codePoint), codePoint]))('the control character %s, wherever it is', (_name, codePoint) => {
      const character = String.fromCodePoint(codePoint);
      for (const value of [`${character}Ada`, `Ad${character}a`, `Ada${character}`]) {
        expect(required(value).codes).toEqual(['INVALID_VALUE']);
      }
    });

    it('a control character among spaces, rather than calling the text blank', () => {
      expect(required('   \t ').codes).toEqual(['INVALID_VALUE']);
      const errors = new FieldErrors();
      expect(optionalText(errors, ['input', 'line2'], '\n', { kind: 'words', max: 10 })).toBeUndefined();
      expect(errors.list.map((error) => error.code)).toEqual(['INVALID_VALUE']);
    });

    it.each(BIDI_CONTROLS.map((codePoint) => [hex(codePoint), codePoint]))('the bidirectional control %s', (_name, codePoint) => {
      const result = required(`Ada${String.fromCodePoint(codePoint)}King`);
      expect(result.codes).toEqual(['INVALID_VALUE']);
      expect(result.messages?.[0]).toBe(`firstName must not contain bidirectional control characters (${hex(codePoint)}).`);
    });

    it.each(NAMED_INVISIBLE.map((codePoint) => [hex(codePoint), codePoint]))('the invisible character %s, also at either end', (_name, codePoint) => {
      const character = String.fromCodePoint(codePoint);
      for (const value of [`${character}Ada`, `Ad${character}a`, `Ada${character}`]) {
        const result = required(value);
        expect(result.codes).toEqual(['INVALID_VALUE']);
        expect(result.messages?.[0]).toBe(`firstName must not contain invisible characters (${hex(codePoint)}).`);
      }
    });

    it.each(OTHER_FORMAT.map((codePoint) => [hex(codePoint), codePoint]))('the other format character (Cf) %s', (_name, codePoint) => {
      expect(required(`Ada${String.fromCodePoint(codePoint)}King`).codes).toEqual(['INVALID_VALUE']);
    });

    it('a lone surrogate, which is not Unicode text (PostgreSQL could not store it)', () => {
      expect(required('Ada\ud800').codes).toEqual(['INVALID_VALUE']);
      expect(required('\udc00Ada').codes).toEqual(['INVALID_VALUE']);
    });

    it('the line and paragraph separators U+2028, U+2029 in a one-line text', () => {
      expect(required('Ada\u2028King').codes).toEqual(['INVALID_VALUE']);
      expect(required('Ada\u2029King').codes).toEqual(['INVALID_VALUE']);
    });

    it('the Hangul fillers, letters that render as nothing (a "blank" name that is not blank)', () => {
      for (const filler of ['\u3164', '\u115f', '\u1160', '\uffa0']) expect(required(filler).codes).toEqual(['INVALID_VALUE']);
    });

    it('the other characters outside Cf that render as nothing: the braille blank, the combining grapheme joiner, the Khmer inherent vowels', () => {
      for (const blank of ['\u2800', 'Ada\u2800', 'A\u034fda', 'Ada\u17b4', '\u17b5']) expect(required(blank).codes).toEqual(['INVALID_VALUE']);
      expect(required('\u2801da')).toEqual({ text: '\u2801da' }); // a braille letter is visible
    });

    it('names the field and the character in the message, never the value', () => {
      const errors = new FieldErrors();
      requiredText(errors, ['input', 'city'], 'Lon\u0000don', { kind: 'words', max: 100 });
      expect(errors.list).toEqual([{ path: ['input', 'city'], code: 'INVALID_VALUE', message: 'city must not contain control characters (U+0000).' }]);
    });

    it('before the length: one problem per field, INVALID_VALUE for a long text holding a NUL', () => {
      expect(required(`${'a'.repeat(200)}\u0000`).codes).toEqual(['INVALID_VALUE']);
    });
  });

  describe('the zero-width non-joiner and joiner (U+200C, U+200D) in words', () => {
    it.each([
      ['a Persian name with a non-joiner between two letters', 'می\u200cخواهم'],
      ['a Persian family name', 'نیک\u200cنام'],
      ['a Devanagari conjunct (joiner after a virama, a mark of the letter before)', 'क्\u200dष'],
      ['a Sinhala name (Shri)', 'ශ්\u200dරී'],
      ['an emoji family (joiners between symbols)', '👨\u200d👩\u200d👧'],
      ['an emoji with skin tone and variation selector', '👩🏽\u200d💻 and 🏳\ufe0f\u200d🌈'],
    ])('keeps %s', (_what, value) => {
      expect(required(value)).toEqual({ text: value.normalize('NFC') });
    });

    it.each([
      ['at the start', '\u200cAda'],
      ['at the end', 'Ada\u200d'],
      ['before a space', 'Ada\u200c King'],
      ['after a space', 'Ada \u200dKing'],
      ['between digits', '12\u200d34'],
      ['next to punctuation', 'Ada\u200c-King'],
      ['doubled', 'Ad\u200c\u200ca'],
      ['before a combining mark', 'Ad\u200d\u0301a'],
    ])('refuses one %s', (_what, value) => {
      const result = required(value);
      expect(result.codes).toEqual(['INVALID_VALUE']);
      expect(result.messages?.[0]).toMatch(/not between two letters or symbols \(U\+200[CD]\)\.$/);
    });

    it('refuses both joiners anywhere in a token (externalId, file names, codes)', () => {
      for (const value of ['می\u200cخواهم', 'ext\u200d1', '👨\u200d👩']) {
        expect(required(value, 'token').codes).toEqual(['INVALID_VALUE']);
      }
    });
  });

  describe('paragraphs (a rejection reason)', () => {
    it('keeps line breaks, stored as LF', () => {
      expect(normalisedText('Blurred.\r\nPlease upload\ranother scan.\n', 'paragraph')).toEqual({ ok: true, text: 'Blurred.\nPlease upload\nanother scan.' });
    });

    it('still refuses other control, bidirectional and invisible characters', () => {
      for (const value of ['a\tb', 'a\u0000b', 'a\u202eb', 'a\u200bb', 'a\u2028b']) expect(normalisedText(value, 'paragraph')).toMatchObject({ ok: false });
    });
  });

  describe('file names', () => {
    const name = (value: string) => {
      const errors = new FieldErrors();
      const result = fileName(errors, ['input', 'fileName'], value);
      return errors.isEmpty ? { text: result } : { codes: errors.list.map((error) => error.code) };
    };

    it('normalises to NFC and trims', () => {
      expect(name('  Zoe\u0308 passport.pdf ')).toEqual({ text: 'Zo\u00eb passport.pdf' });
    });

    it('refuses the right-to-left override trick, "invoice\\u202Efdp.exe" shown as "invoiceexe.pdf"', () => {
      expect(name('invoice\u202efdp.exe').codes).toEqual(['INVALID_VALUE']);
    });

    it.each([['\u200b'], ['\u200c'], ['\u200d'], ['\u00ad'], ['\ufeff'], ['\u0000'], ['\n']])('refuses %j', (character) => {
      expect(name(`scan${character}.pdf`).codes).toEqual(['INVALID_VALUE']);
    });

    it.each([['../../etc/passwd'], ['C:\\scan.pdf'], ['scans/passport.pdf'], ['.'], ['..']])('refuses the path %j as INVALID_FORMAT', (value) => {
      expect(name(value).codes).toEqual(['INVALID_FORMAT']);
    });

    it('allows 255 characters and refuses 256', () => {
      expect(name(`${'a'.repeat(251)}.pdf`)).toEqual({ text: `${'a'.repeat(251)}.pdf` });
      expect(name(`${'a'.repeat(252)}.pdf`).codes).toEqual(['TOO_LONG']);
    });

    it('keeps dots and spaces that are part of a name', () => {
      expect(name('..hidden scan (1).pdf')).toEqual({ text: '..hidden scan (1).pdf' });
    });
  });

  describe('other text inputs go through the same rule first', () => {
    const codes = (check: (errors: FieldErrors) => unknown) => {
      const errors = new FieldErrors();
      check(errors);
      return errors.list.map((error) => error.code);
    };

    it('email, mobile phone and country codes refuse invisible and bidirectional characters with INVALID_VALUE', () => {
      expect(codes((errors) => email(errors, ['input', 'email'], 'ada@example.com\u200b'))).toEqual(['INVALID_VALUE']);
      expect(codes((errors) => mobilePhone(errors, ['input', 'mobilePhone'], '+1415555\u202e0100'))).toEqual(['INVALID_VALUE']);
      expect(codes((errors) => countryCode(errors, ['input', 'countryCode'], 'U\u200bS'))).toEqual(['INVALID_VALUE']);
    });

    it('still trims and normalises them', () => {
      const errors = new FieldErrors();
      expect(email(errors, ['input', 'email'], ' Ada@Example.com\u00a0')).toBe('ada@example.com');
      expect(countryCode(errors, ['input', 'countryCode'], ' gb ')).toBe('GB');
      expect(errors.isEmpty).toBe(true);
    });
  });

  describe('dates are parsed before any comparison', () => {
    const date = (check: (errors: FieldErrors) => Date | undefined) => {
      const errors = new FieldErrors();
      const value = check(errors);
      return errors.isEmpty ? { date: value?.toISOString().slice(0, 10) } : { codes: errors.list.map((error) => error.code) };
    };

    it('refuses a date of birth of " 2099-12-31": the padded text is parsed, then found in the future', () => {
      expect(date((errors) => dateOfBirth(errors, ['input', 'dateOfBirth'], ' 2099-12-31', NOW))).toEqual({ codes: ['OUT_OF_RANGE'] });
      expect(date((errors) => dateOfBirth(errors, ['input', 'dateOfBirth'], '2099-12-31 ', NOW))).toEqual({ codes: ['OUT_OF_RANGE'] });
      expect(date((errors) => dateOfBirth(errors, ['input', 'dateOfBirth'], '\u00a02026-03-15', NOW))).toEqual({ codes: ['OUT_OF_RANGE'] });
    });

    it('accepts a padded past date of birth as the date it names', () => {
      expect(date((errors) => dateOfBirth(errors, ['input', 'dateOfBirth'], ' 1990-01-01 ', NOW))).toEqual({ date: '1990-01-01' });
      expect(date((errors) => dateOfBirth(errors, ['input', 'dateOfBirth'], ' 2026-03-14', NOW))).toEqual({ date: '2026-03-14' });
    });

    it('refuses a padded expiry date in the past and accepts a padded one of today', () => {
      expect(date((errors) => futureOrTodayDate(errors, ['input', 'expiresOn'], ' 2001-01-01', NOW))).toEqual({ codes: ['EXPIRED'] });
      expect(date((errors) => futureOrTodayDate(errors, ['input', 'expiresOn'], ' 2026-03-14 ', NOW))).toEqual({ codes: ['EXPIRED'] });
      expect(date((errors) => futureOrTodayDate(errors, ['input', 'expiresOn'], ' 2026-03-15 ', NOW))).toEqual({ date: '2026-03-15' });
    });

    it.each([
      ['a tab', '\t2000-01-01'],
      ['a line break', '2000-01-01\n'],
      ['a zero-width space', '\u200b2000-01-01'],
      ['a right-to-left mark', '2000-01-01\u200f'],
      ['full-width digits', '２０００-01-01'],
      ['a time', '2000-01-01T00:00:00Z'],
      ['a day that does not exist', '2023-02-29'],
    ])('refuses a date with %s as INVALID_FORMAT', (_what, value) => {
      expect(date((errors) => calendarDate(errors, ['input', 'dateOfBirth'], value))).toEqual({ codes: ['INVALID_FORMAT'] });
    });

    it('reads years below 100 as written, not as 19xx', () => {
      expect(date((errors) => calendarDate(errors, ['input', 'expiresOn'], '0099-01-01'))).toEqual({ date: '0099-01-01' });
      expect(date((errors) => futureOrTodayDate(errors, ['input', 'expiresOn'], '0099-01-01', NOW))).toEqual({ codes: ['EXPIRED'] });
    });
  });

  it('strips refused characters from a stored value that predates the rules, for display', () => {
    expect(withoutUnwantedCharacters('invoice\u202efdp\u200b.exe\u0000')).toBe('invoicefdp.exe');
    expect(withoutUnwantedCharacters('Zoe\u0308.pdf')).toBe('Zo\u00eb.pdf');
  });
});
