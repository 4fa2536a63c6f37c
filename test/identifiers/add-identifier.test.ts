import { randomInt, randomUUID } from 'node:crypto';
import { AddIdentifierDocument, AddIdentifierInput, ClientDocument } from '../generated/graphql';
import { appDate, expectMember, fieldErrorsOf, itinWithGroup, randomDocumentNumber } from '../support/clients-helpers';
import { createClient, randomSsn } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/** An SSN with the given area (first three digits), different on each call. */
function ssnWithArea(area: string): string {
  return `${area}-${String(randomInt(1, 100)).padStart(2, '0')}-${String(randomInt(1, 10000)).padStart(4, '0')}`;
}

describe('adding an identifier', () => {
  let t: TestApp;
  let clientId: string;
  beforeAll(async () => {
    t = await startTestApp();
    clientId = (await createClient(t)).id;
  });
  afterAll(() => t.stop());

  const add = (input: Omit<AddIdentifierInput, 'clientId'> & { clientId?: string }) =>
    t.run(AddIdentifierDocument, { input: { clientId, ...input } });

  /** Adds, expects a ValidationError, and checks that the client did not change. */
  async function refused(input: Omit<AddIdentifierInput, 'clientId'>) {
    const client = await createClient(t);
    const result = await add({ ...input, clientId: client.id });
    const errors = fieldErrorsOf(result.addIdentifier);
    const after = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(after.identifiers).toEqual([]);
    expect(after.version).toBe(client.version);
    return errors;
  }

  async function accepted(input: Omit<AddIdentifierInput, 'clientId'>) {
    return expectMember((await add(input)).addIdentifier, 'AddIdentifierSuccess');
  }

  it('adds an SSN, showing only its last four digits, and records IDENTIFIER_ADDED', async () => {
    // given a client with no identifier
    const client = await createClient(t);
    const ssn = randomSsn();

    // when an SSN is added
    const result = await add({ clientId: client.id, type: 'SSN', value: ssn });

    // then it is ACTIVE and valid, shown by its last four digits, and the client is at version 2
    const success = expectMember(result.addIdentifier, 'AddIdentifierSuccess');
    expect(success.identifier).toMatchObject({
      type: 'SSN',
      issuingCountry: null,
      last4: ssn.slice(-4),
      expiresOn: null,
      status: 'ACTIVE',
      isValid: true,
    });
    expect(success.client.version).toBe(2);
    const stored = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(stored.identifiers).toEqual([success.identifier]);
    expect(stored.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'IDENTIFIER_ADDED']);
    expect(stored.partial.map((requirement) => requirement.code)).not.toContain('IDENTITY_DOCUMENT');
    expect(stored.full.map((requirement) => requirement.code)).not.toContain('TAX_IDENTIFIER');
  });

  describe('SSN structure', () => {
    it.each([
      ['with dashes', () => ssnWithArea('123')],
      ['without dashes', () => ssnWithArea('123').replace(/-/g, '')],
      ['with area 001', () => ssnWithArea('001')],
      ['with area 665', () => ssnWithArea('665')],
      ['with area 667', () => ssnWithArea('667')],
      ['with area 899', () => ssnWithArea('899')],
      ['with group 01 and serial 0001', () => `${randomInt(100, 600)}-01-0001`],
      ['with group 99 and serial 9999', () => `${randomInt(100, 600)}-99-9999`],
    ])('accepts an SSN %s', async (_what, value) => {
      const ssn = value();
      const success = await accepted({ type: 'SSN', value: ssn });
      expect(success.identifier.last4).toBe(ssn.slice(-4));
    });

    it.each([
      ['area 000', '000-12-3456'],
      ['area 666', '666-12-3456'],
      ['area 900', '900-12-3456'],
      ['area 950', '950-12-3456'],
      ['area 999', '999-12-3456'],
      ['group 00', '123-00-4567'],
      ['serial 0000', '123-45-0000'],
      ['area 000, without dashes', '000123456'],
    ])('refuses an SSN with %s', async (_what, value) => {
      expect(await refused({ type: 'SSN', value })).toEqual([{ path: ['input', 'value'], code: 'INVALID_VALUE' }]);
    });

    it.each([
      ['eight digits', '123-45-678'],
      ['ten digits', '123-45-67890'],
      ['letters', '123-45-678a'],
      ['a leading dash', '-123456789'],
      ['a trailing dash', '123456789-'],
      ['other punctuation', '123.45.6789'],
    ])('refuses an SSN with %s as INVALID_FORMAT', async (_what, value) => {
      expect(await refused({ type: 'SSN', value })).toEqual([{ path: ['input', 'value'], code: 'INVALID_FORMAT' }]);
    });

    it.each(['', '   '])('refuses an empty value %j as REQUIRED', async (value) => {
      expect(await refused({ type: 'SSN', value })).toEqual([{ path: ['input', 'value'], code: 'REQUIRED' }]);
    });

    it('refuses a 1 MB value as TOO_LONG', async () => {
      expect(await refused({ type: 'SSN', value: '1'.repeat(1_000_000) })).toEqual([{ path: ['input', 'value'], code: 'TOO_LONG' }]);
    });

    it('refuses an SSN said to be issued by another country than the US', async () => {
      expect(await refused({ type: 'SSN', value: randomSsn(), issuingCountry: 'GB' })).toEqual([
        { path: ['input', 'issuingCountry'], code: 'INVALID_VALUE' },
      ]);
    });
  });

  describe('ITIN structure', () => {
    it.each([50, 51, 65, 70, 78, 88, 90, 91, 92, 94, 99])('accepts an ITIN whose fourth and fifth digits are %i', async (group) => {
      const itin = itinWithGroup(group);
      const success = await accepted({ type: 'ITIN', value: itin });
      expect(success.identifier).toMatchObject({ type: 'ITIN', last4: itin.slice(-4), status: 'ACTIVE', isValid: true });
    });

    it.each([0, 10, 49, 66, 69, 89, 93])('refuses an ITIN whose fourth and fifth digits are %i', async (group) => {
      expect(await refused({ type: 'ITIN', value: itinWithGroup(group) })).toEqual([{ path: ['input', 'value'], code: 'INVALID_VALUE' }]);
    });

    it('accepts an ITIN without dashes', async () => {
      const itin = itinWithGroup(70).replace(/-/g, '');
      expect((await accepted({ type: 'ITIN', value: itin })).identifier.last4).toBe(itin.slice(-4));
    });

    it.each(['812-70-1234', '012-70-1234', '123-70-4567'])('refuses %j, an ITIN not beginning with 9', async (value) => {
      expect(await refused({ type: 'ITIN', value })).toEqual([{ path: ['input', 'value'], code: 'INVALID_VALUE' }]);
    });

    it('refuses an ITIN that is not nine digits', async () => {
      expect(await refused({ type: 'ITIN', value: '912-70-123' })).toEqual([{ path: ['input', 'value'], code: 'INVALID_FORMAT' }]);
    });
  });

  describe('documents issued by a country', () => {
    it.each(['PASSPORT', 'NATIONAL_ID', 'DRIVERS_LICENSE'] as const)('refuses a %s without issuingCountry', async (type) => {
      const errors = await refused({ type, value: randomDocumentNumber(), expiresOn: appDate(t, 365) });
      expect(errors).toEqual([{ path: ['input', 'issuingCountry'], code: 'REQUIRED' }]);
    });

    it('refuses a PASSPORT without expiresOn', async () => {
      const errors = await refused({ type: 'PASSPORT', value: randomDocumentNumber(), issuingCountry: 'GB' });
      expect(errors).toEqual([{ path: ['input', 'expiresOn'], code: 'REQUIRED' }]);
    });

    it('reports both a missing issuingCountry and a missing expiresOn of a PASSPORT', async () => {
      const errors = await refused({ type: 'PASSPORT', value: randomDocumentNumber() });
      expect(errors).toEqual(
        expect.arrayContaining([
          { path: ['input', 'issuingCountry'], code: 'REQUIRED' },
          { path: ['input', 'expiresOn'], code: 'REQUIRED' },
        ]),
      );
      expect(errors).toHaveLength(2);
    });

    it('refuses an issuingCountry that is not a country', async () => {
      const errors = await refused({ type: 'PASSPORT', value: randomDocumentNumber(), issuingCountry: 'XX', expiresOn: appDate(t, 365) });
      expect(errors).toEqual([{ path: ['input', 'issuingCountry'], code: 'INVALID_VALUE' }]);
    });

    it.each([
      ['too short', 'AB', 'INVALID_FORMAT'],
      ['punctuation', 'AB#123456', 'INVALID_FORMAT'],
      ['a NUL character', 'AB\u0000123456', 'INVALID_VALUE'],
      ['a zero-width space', 'AB\u200b123456', 'INVALID_VALUE'],
    ])('refuses a document number with %s', async (_what, value, code) => {
      const errors = await refused({ type: 'PASSPORT', value, issuingCountry: 'GB', expiresOn: appDate(t, 365) });
      expect(errors).toEqual([{ path: ['input', 'value'], code }]);
    });

    it('adds a PASSPORT with issuingCountry and expiresOn', async () => {
      const expiresOn = appDate(t, 3650);
      const number = randomDocumentNumber('GB');
      const success = await accepted({ type: 'PASSPORT', value: number, issuingCountry: 'gb', expiresOn });
      expect(success.identifier).toMatchObject({
        type: 'PASSPORT',
        issuingCountry: 'GB',
        last4: number.slice(-4),
        expiresOn,
        status: 'ACTIVE',
        isValid: true,
      });
    });

    it.each(['NATIONAL_ID', 'DRIVERS_LICENSE'] as const)('adds a %s with issuingCountry and no expiresOn', async (type) => {
      const success = await accepted({ type, value: randomDocumentNumber('D'), issuingCountry: 'US' });
      expect(success.identifier).toMatchObject({ type, issuingCountry: 'US', expiresOn: null, isValid: true });
    });
  });

  describe('expiry dates', () => {
    it.each([
      ['PASSPORT', 'GB'],
      ['DRIVERS_LICENSE', 'US'],
      ['NATIONAL_ID', 'FR'],
    ] as const)('refuses a %s that expired yesterday', async (type, issuingCountry) => {
      const errors = await refused({ type, value: randomDocumentNumber(), issuingCountry, expiresOn: appDate(t, -1) });
      expect(errors).toEqual([{ path: ['input', 'expiresOn'], code: 'EXPIRED' }]);
    });

    it('refuses an expiresOn long past', async () => {
      const errors = await refused({ type: 'PASSPORT', value: randomDocumentNumber(), issuingCountry: 'GB', expiresOn: '2001-01-01' });
      expect(errors).toEqual([{ path: ['input', 'expiresOn'], code: 'EXPIRED' }]);
    });

    it('accepts a PASSPORT expiring today, valid today', async () => {
      const today = appDate(t, 0);
      const success = await accepted({ type: 'PASSPORT', value: randomDocumentNumber(), issuingCountry: 'GB', expiresOn: today });
      expect(success.identifier).toMatchObject({ expiresOn: today, isValid: true });
    });

    it('refuses an expiresOn that is not a real date', async () => {
      const errors = await refused({ type: 'PASSPORT', value: randomDocumentNumber(), issuingCountry: 'GB', expiresOn: '2031-02-30' });
      expect(errors).toEqual([{ path: ['input', 'expiresOn'], code: 'INVALID_FORMAT' }]);
    });
  });

  it.each([
    ['an unknown client id', () => randomUUID()],
    ['a client id that is not a UUID', () => 'abc'],
  ])('answers ClientNotFoundError for %s', async (_what, makeId) => {
    const id = makeId();
    const result = await add({ clientId: id, type: 'SSN', value: randomSsn() });
    expect(expectMember(result.addIdentifier, 'ClientNotFoundError').clientId).toBe(id);
  });
});
