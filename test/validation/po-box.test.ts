/**
 * Which address lines are post-office boxes (onboarding-rules.md, "Input rules": "P.O. Box, PO BOX,
 * Post Office Box, ..."). The rule is applied through addAddress in test/addresses/add-address.test.ts;
 * this table covers the spellings, and the ordinary streets that only look like them.
 */
import { isPoBox } from '../../src/shared/validation';

describe('isPoBox', () => {
  it.each([
    'P.O. Box 12',
    'PO BOX 12',
    'Post Office Box 12',
    'p o box 5',
    'P. O. Box 77',
    'POB 301',
    'P.O.B. 12',
    'Box 123',
    'Box #12',
    'BOX12',
    'PO Box12',
    'PO-Box 12',
    'P-O Box 12',
    'P/O Box 12',
    'Post-Office Box 12',
    'Postal Box 12',
    'Postbox 4',
    'P.0. Box 12',
    'Ｐ.Ｏ. Ｂｏｘ 12',
    'Caller Box 12',
    'Lock Box 12',
    'Postfach 12',
    'c/o PO Box 5',
  ])('%j is a PO box', (line) => {
    expect(isPoBox(line)).toBe(true);
  });

  it.each([
    '12 Boxwood Lane',
    '7 Box Hill Road',
    'Boxer Road 1',
    '3 Pobjoy Mews',
    '40 Apollo Boulevard',
    '5 Poplar Street',
    'Postal Lane 4',
    'Post Road 3',
    '9 Post Office Road',
    'Shipbox Lane 3',
    'Camp O Bay 3',
    // A Canadian postal code (Ontario's start with P0B) written into a line.
    'Unit 4, P0B 1A0',
  ])('%j is not a PO box', (line) => {
    expect(isPoBox(line)).toBe(false);
  });
});
