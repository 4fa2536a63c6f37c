import { randomUUID } from 'node:crypto';
import { ClientDocument, CreateClientDocument, CreateClientInput } from '../generated/graphql';
import { appDate, appDateYearsAgo, countClients, expectMember, fieldErrorsOf } from '../support/clients-helpers';
import { TestApp, startTestApp } from '../support/test-app';

describe('creating a client', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const valid: CreateClientInput = { firstName: 'Ada', lastName: 'Lovelace' };
  const create = (input: Partial<CreateClientInput>) => t.run(CreateClientDocument, { input: { ...valid, ...input } });

  /** Creates with `input`, expects a ValidationError, and checks that no client was written. */
  async function refused(input: Partial<CreateClientInput>) {
    const before = await countClients(t);
    const result = await create(input);
    const errors = fieldErrorsOf(result.createClient);
    expect(await countClients(t)).toBe(before);
    return errors;
  }

  it('starts a new client in PENDING, unverified, at version 1, with a CLIENT_CREATED event', async () => {
    // given a complete, valid input
    const externalId = `crm-${randomUUID()}`;

    // when the client is created
    const result = await create({
      externalId,
      firstName: 'Grace',
      lastName: 'Hopper',
      dateOfBirth: '1906-12-09',
      email: 'grace@example.com',
      mobilePhone: '+14155550100',
    });

    // then it is PENDING with no verification level, and its history starts with CLIENT_CREATED
    const client = expectMember(result.createClient, 'ClientPayload').client;
    expect(client).toMatchObject({
      externalId,
      firstName: 'Grace',
      lastName: 'Hopper',
      dateOfBirth: '1906-12-09',
      email: 'grace@example.com',
      emailVerified: false,
      mobilePhone: '+14155550100',
      mobilePhoneVerified: false,
      status: 'PENDING',
      kycVerificationType: null,
      verifiedAt: null,
      activatedAt: null,
      version: 1,
    });
    const stored = await t.run(ClientDocument, { id: client.id });
    expect(stored.client?.history.map((event) => ({ type: event.type, toStatus: event.toStatus }))).toEqual([
      { type: 'CLIENT_CREATED', toStatus: 'PENDING' },
    ]);
    expect(stored.client?.addresses).toEqual([]);
    expect(stored.client?.identifiers).toEqual([]);
  });

  it('needs only a first and last name', async () => {
    const client = expectMember((await create({})).createClient, 'ClientPayload').client;
    expect(client).toMatchObject({ externalId: null, dateOfBirth: null, email: null, mobilePhone: null, status: 'PENDING' });
  });

  it('counts characters, not bytes, in names', async () => {
    const accented = 'é'.repeat(100);
    const client = expectMember((await create({ firstName: accented, lastName: 'Ñúñez' })).createClient, 'ClientPayload').client;
    expect(client).toMatchObject({ firstName: accented, lastName: 'Ñúñez' });
  });

  it('trims names and keeps up to 100 characters', async () => {
    const hundred = 'x'.repeat(100);
    const client = expectMember((await create({ firstName: '  Ada  ', lastName: ` ${hundred} ` })).createClient, 'ClientPayload').client;
    expect(client.firstName).toBe('Ada');
    expect(client.lastName).toBe(hundred);
  });

  it('treats a blank email or mobile phone as none given, as a form with empty optional fields sends them', async () => {
    const client = expectMember((await create({ email: '', mobilePhone: '  ' })).createClient, 'ClientPayload').client;
    expect(client).toMatchObject({ email: null, mobilePhone: null });
  });

  it('stores the email lower-cased and trimmed', async () => {
    const client = expectMember((await create({ email: '  Ada.Lovelace@Example.COM ' })).createClient, 'ClientPayload').client;
    expect(client.email).toBe('ada.lovelace@example.com');
  });

  it.each([
    ['+1 415-555-0100', '+14155550100'],
    ['+44 7400 123456', '+447400123456'],
    ['+1 (212) 555-0142', '+12125550142'],
  ])('stores the mobile phone %s as E.164 %s', async (typed, e164) => {
    const client = expectMember((await create({ mobilePhone: typed })).createClient, 'ClientPayload').client;
    expect(client.mobilePhone).toBe(e164);
  });

  describe('refuses names that are not 1 to 100 characters once trimmed', () => {
    it.each([
      ['empty', '', 'REQUIRED'],
      ['blank (spaces and a no-break space)', '   \u00a0 ', 'REQUIRED'],
      ['101 characters', 'y'.repeat(101), 'TOO_LONG'],
      ['a 1 MB string', 'z'.repeat(1_000_000), 'TOO_LONG'],
      ['holding a NUL character', 'Ada\u0000', 'INVALID_VALUE'],
      ['holding a line break', 'Ada\nLovelace', 'INVALID_VALUE'],
      ['spaces around a tab (a control character, refused wherever it is)', '   \t ', 'INVALID_VALUE'],
    ])('a first name that is %s', async (_what, firstName, code) => {
      expect(await refused({ firstName })).toEqual([{ path: ['input', 'firstName'], code }]);
    });

    it.each([
      ['empty', '', 'REQUIRED'],
      ['blank', '   ', 'REQUIRED'],
      ['101 characters', 'y'.repeat(101), 'TOO_LONG'],
    ])('a last name that is %s', async (_what, lastName, code) => {
      expect(await refused({ lastName })).toEqual([{ path: ['input', 'lastName'], code }]);
    });
  });

  describe('accepts a date of birth only when it is a real past date giving an age from 0 to 130', () => {
    it.each([
      ['a day that does not exist', () => '2023-02-30', 'INVALID_FORMAT'],
      ['not a date at all', () => 'yesterday', 'INVALID_FORMAT'],
      ['a date with a time', () => '1990-01-01T00:00:00Z', 'INVALID_FORMAT'],
      ['tomorrow', () => appDate(t, 1), 'OUT_OF_RANGE'],
      ['next year', () => appDate(t, 365), 'OUT_OF_RANGE'],
      ['today (not yet a past date)', () => appDate(t, 0), 'OUT_OF_RANGE'],
      ['131 years ago today (age 131)', () => appDateYearsAgo(t, 131), 'OUT_OF_RANGE'],
      ['200 years ago', () => appDateYearsAgo(t, 200), 'OUT_OF_RANGE'],
    ])('refuses %s', async (_what, dateOfBirth, code) => {
      expect(await refused({ dateOfBirth: dateOfBirth() })).toEqual([{ path: ['input', 'dateOfBirth'], code }]);
    });

    it.each([
      ['yesterday (age 0)', () => appDate(t, -1)],
      ['130 years ago today (age 130)', () => appDateYearsAgo(t, 130)],
      ['a leap day', () => '2000-02-29'],
    ])('accepts %s', async (_what, dateOfBirth) => {
      const value = dateOfBirth();
      const client = expectMember((await create({ dateOfBirth: value })).createClient, 'ClientPayload').client;
      expect(client.dateOfBirth).toBe(value);
    });
  });

  it.each(['not-an-email', 'ada@', '@example.com', 'ada@example', 'ada lovelace@example.com', 'Ada <ada@example.com>'])(
    'refuses the email %j',
    async (email) => {
      expect(await refused({ email })).toEqual([{ path: ['input', 'email'], code: 'INVALID_FORMAT' }]);
    },
  );

  it.each([
    ['a UK fixed line', '+44 20 7946 0000'],
    ['a UK freephone number', '+44 800 123 4567'],
  ])('refuses %s as mobile phone with NOT_A_MOBILE_NUMBER', async (_what, mobilePhone) => {
    expect(await refused({ mobilePhone })).toEqual([{ path: ['input', 'mobilePhone'], code: 'NOT_A_MOBILE_NUMBER' }]);
  });

  it.each(['call me maybe', '12345', '4155550100', '+1 415 555 01', '+999 1234 5678'])(
    'refuses the mobile phone %j as INVALID_FORMAT',
    async (mobilePhone) => {
      expect(await refused({ mobilePhone })).toEqual([{ path: ['input', 'mobilePhone'], code: 'INVALID_FORMAT' }]);
    },
  );

  it('reports every problem of one input at once, each with its path', async () => {
    const errors = await refused({
      firstName: ' ',
      lastName: 'L'.repeat(101),
      dateOfBirth: '2023-02-30',
      email: 'nope',
      mobilePhone: '+44 20 7946 0000',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: ['input', 'firstName'], code: 'REQUIRED' },
        { path: ['input', 'lastName'], code: 'TOO_LONG' },
        { path: ['input', 'dateOfBirth'], code: 'INVALID_FORMAT' },
        { path: ['input', 'email'], code: 'INVALID_FORMAT' },
        { path: ['input', 'mobilePhone'], code: 'NOT_A_MOBILE_NUMBER' },
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  describe('with an externalId', () => {
    it('refuses a second client with the same externalId and writes nothing', async () => {
      // given a client with an externalId
      const externalId = `crm-${randomUUID()}`;
      expectMember((await create({ externalId })).createClient, 'ClientPayload');
      const before = await countClients(t);

      // when another client is created with the same externalId
      const result = await create({ externalId, firstName: 'Someone', lastName: 'Else' });

      // then it is a DuplicateExternalIdError naming it, and no client was added
      const error = expectMember(result.createClient, 'DuplicateExternalIdError');
      expect(error.externalId).toBe(externalId);
      expect(error.userMessageGlobalisationCode).toMatch(/^error\.msg\.client\./);
      expect(await countClients(t)).toBe(before);
    });

    it('treats an externalId with surrounding spaces as the same externalId', async () => {
      const externalId = `crm-${randomUUID()}`;
      expectMember((await create({ externalId })).createClient, 'ClientPayload');

      const result = await create({ externalId: `  ${externalId} ` });

      expect(expectMember(result.createClient, 'DuplicateExternalIdError').externalId).toBe(externalId);
    });

    it('lets many clients have no externalId', async () => {
      expectMember((await create({ externalId: null })).createClient, 'ClientPayload');
      expectMember((await create({ externalId: null })).createClient, 'ClientPayload');
    });
  });
});
