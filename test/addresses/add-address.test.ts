import { randomUUID } from 'node:crypto';
import { AddAddressDocument, AddAddressInput, ClientDocument } from '../generated/graphql';
import { expectMember, fieldErrorsOf } from '../support/clients-helpers';
import { createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('adding an address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const home = (clientId: string, overrides: Partial<AddAddressInput> = {}): AddAddressInput => ({
    clientId,
    type: 'RESIDENTIAL',
    isPrimary: true,
    line1: '221B Baker Street',
    line2: null,
    city: 'London',
    region: null,
    postalCode: 'NW1 6XE',
    countryCode: 'GB',
    ...overrides,
  });
  const add = (input: AddAddressInput) => t.run(AddAddressDocument, { input });

  /** Adds `input`, expects a ValidationError, and checks that the client did not change. */
  async function refused(input: AddAddressInput) {
    const before = (await t.run(ClientDocument, { id: input.clientId })).client!;
    const errors = fieldErrorsOf((await add(input)).addAddress);
    const after = (await t.run(ClientDocument, { id: input.clientId })).client!;
    expect(after.addresses).toEqual(before.addresses);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
    return errors;
  }

  it('adds the address to the client, bumps the version and records ADDRESS_ADDED', async () => {
    // given a client with no address
    const client = await createClient(t);

    // when a primary residential address is added (country in lower case, fields padded)
    const result = await add(
      home(client.id, { line1: ' 1 Infinite Loop ', line2: 'Building 3', city: 'Cupertino', region: 'CA', postalCode: '95014', countryCode: 'us' }),
    );

    // then the response holds the stored address and the client at version 2
    const success = expectMember(result.addAddress, 'AddAddressSuccess');
    expect(success.address).toMatchObject({
      type: 'RESIDENTIAL',
      isPrimary: true,
      line1: '1 Infinite Loop',
      line2: 'Building 3',
      city: 'Cupertino',
      region: 'CA',
      postalCode: '95014',
      countryCode: 'US',
    });
    expect(success.client.version).toBe(2);
    expect(success.client.addresses).toEqual([success.address]);
    const stored = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(stored.addresses).toEqual([success.address]);
    expect(stored.history.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'ADDRESS_ADDED']);
    expect(stored.partial.map((requirement) => requirement.code)).not.toContain('PRIMARY_ADDRESS');
  });

  it('demotes the previous primary address when a new primary one is added', async () => {
    // given a client with a primary address
    const client = await createClient(t);
    const old = expectMember((await add(home(client.id, { line1: '1 Old Road' }))).addAddress, 'AddAddressSuccess').address;

    // when another primary address is added
    const result = await add(home(client.id, { line1: '2 New Road' }));

    // then the new one is the only primary; the old one stays, no longer primary
    const success = expectMember(result.addAddress, 'AddAddressSuccess');
    const addresses = (await t.run(ClientDocument, { id: client.id })).client!.addresses;
    expect(addresses).toHaveLength(2);
    expect(addresses.filter((address) => address.isPrimary).map((address) => address.id)).toEqual([success.address.id]);
    expect(addresses.find((address) => address.id === old.id)).toMatchObject({ line1: '1 Old Road', isPrimary: false });
    expect(success.client.addresses.filter((address) => address.isPrimary)).toHaveLength(1);
    expect(success.client.version).toBe(3);
  });

  it('keeps the primary address when a non-primary one is added', async () => {
    const client = await createClient(t);
    const primary = expectMember((await add(home(client.id))).addAddress, 'AddAddressSuccess').address;

    const result = await add(home(client.id, { type: 'MAILING', isPrimary: false, line1: '10 Downing Street', postalCode: 'SW1A 2AA' }));

    const addresses = expectMember(result.addAddress, 'AddAddressSuccess').client.addresses;
    expect(addresses.filter((address) => address.isPrimary).map((address) => address.id)).toEqual([primary.id]);
    expect(addresses).toHaveLength(2);
  });

  it('ends with exactly one primary address when two primary addresses are added at the same time', async () => {
    // given a client
    const client = await createClient(t);

    // when two primary addresses are added at once
    const results = await Promise.all([add(home(client.id, { line1: '1 First Street' })), add(home(client.id, { line1: '2 Second Street' }))]);

    // then both are added, one after the other, and exactly one is primary
    for (const result of results) expectMember(result.addAddress, 'AddAddressSuccess');
    const stored = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(stored.addresses).toHaveLength(2);
    expect(stored.addresses.filter((address) => address.isPrimary)).toHaveLength(1);
    expect(stored.version).toBe(3);
  });

  describe('refuses an incomplete or invalid address', () => {
    it.each([
      ['line1', 'empty', { line1: '' }, 'REQUIRED'],
      ['line1', 'blank', { line1: '   ' }, 'REQUIRED'],
      ['city', 'empty', { city: '' }, 'REQUIRED'],
      ['city', 'blank', { city: ' ' }, 'REQUIRED'],
      ['postalCode', 'empty', { postalCode: '' }, 'REQUIRED'],
      ['postalCode', 'blank', { postalCode: '  ' }, 'REQUIRED'],
      ['countryCode', 'empty', { countryCode: '' }, 'REQUIRED'],
      ['countryCode', '"XX" (not a country)', { countryCode: 'XX' }, 'INVALID_VALUE'],
      ['countryCode', '"usa" (alpha-3, not alpha-2)', { countryCode: 'usa' }, 'INVALID_FORMAT'],
      ['countryCode', '"U1"', { countryCode: 'U1' }, 'INVALID_FORMAT'],
      ['line1', 'of 1 MB', { line1: 'a'.repeat(1_000_000) }, 'TOO_LONG'],
      ['line2', 'holding a NUL character', { line2: 'Flat 2\u0000' }, 'INVALID_VALUE'],
      ['city', 'holding a line break', { city: 'Lon\ndon' }, 'INVALID_VALUE'],
    ])('with a %s that is %s', async (field, _what, overrides, code) => {
      const client = await createClient(t);
      expect(await refused(home(client.id, overrides))).toEqual([{ path: ['input', field], code }]);
    });

    it('reporting every problem at once', async () => {
      const client = await createClient(t);

      const errors = await refused(home(client.id, { line1: 'PO Box 12', city: '', postalCode: '', countryCode: 'XX' }));

      expect(errors).toEqual(
        expect.arrayContaining([
          { path: ['input', 'line1'], code: 'PO_BOX_NOT_ALLOWED' },
          { path: ['input', 'city'], code: 'REQUIRED' },
          { path: ['input', 'postalCode'], code: 'REQUIRED' },
          { path: ['input', 'countryCode'], code: 'INVALID_VALUE' },
        ]),
      );
      expect(errors).toHaveLength(4);
    });
  });

  describe('post-office boxes', () => {
    // More spellings in test/validation/po-box.test.ts.
    const poBoxes = ['P.O. Box 12', 'PO BOX 12', 'Post Office Box 12', 'p o box 5', 'P. O. Box 77', 'po box 9', 'POB 301', 'Box 123', 'PO-Box 12', 'P/O Box 12', 'Postal Box 12'];

    it.each(poBoxes)('refuses %j as line1 of a RESIDENTIAL address, even when not primary', async (line1) => {
      const client = await createClient(t);
      expect(await refused(home(client.id, { type: 'RESIDENTIAL', isPrimary: false, line1 }))).toEqual([
        { path: ['input', 'line1'], code: 'PO_BOX_NOT_ALLOWED' },
      ]);
    });

    it.each(poBoxes)('refuses %j as line2 of a RESIDENTIAL address', async (line2) => {
      const client = await createClient(t);
      expect(await refused(home(client.id, { type: 'RESIDENTIAL', isPrimary: true, line1: '5 High Street', line2 }))).toEqual([
        { path: ['input', 'line2'], code: 'PO_BOX_NOT_ALLOWED' },
      ]);
    });

    it.each([
      ['line1', 'MAILING'],
      ['line2', 'MAILING'],
      ['line1', 'BUSINESS'],
    ] as const)('refuses a PO box as %s of a primary %s address', async (line, type) => {
      const client = await createClient(t);
      const input = home(client.id, { type, isPrimary: true, line1: '5 High Street', [line]: 'P.O. Box 12' });
      expect(await refused(input)).toEqual([{ path: ['input', line], code: 'PO_BOX_NOT_ALLOWED' }]);
    });

    it.each(poBoxes)('allows %j on a non-primary MAILING address', async (line1) => {
      // given a client
      const client = await createClient(t);

      // when a non-primary mailing address at a PO box is added
      const result = await add(home(client.id, { type: 'MAILING', isPrimary: false, line1, line2: 'PO BOX 12' }));

      // then it is stored as given, and it does not count as a primary address
      const success = expectMember(result.addAddress, 'AddAddressSuccess');
      expect(success.address).toMatchObject({ type: 'MAILING', isPrimary: false, line1, line2: 'PO BOX 12' });
      const stored = (await t.run(ClientDocument, { id: client.id })).client!;
      expect(stored.partial.map((requirement) => requirement.code)).toContain('PRIMARY_ADDRESS');
    });

    it.each(['12 Boxwood Lane', '7 Box Hill Road', '3 Pobjoy Mews', '40 Apollo Boulevard', 'Postal Lane 4', '9 Post Office Road'])(
      'accepts an ordinary street that merely contains the letters of a PO box: %j',
      async (line1) => {
        const client = await createClient(t);
        const result = await add(home(client.id, { line1 }));
        expect(expectMember(result.addAddress, 'AddAddressSuccess').address.line1).toBe(line1);
      },
    );
  });

  it.each([
    ['an unknown client id', () => randomUUID()],
    ['a client id that is not a UUID', () => 'abc'],
  ])('answers ClientNotFoundError for %s', async (_what, clientId) => {
    const id = clientId();
    const result = await add(home(id));
    expect(expectMember(result.addAddress, 'ClientNotFoundError').clientId).toBe(id);
  });
});
