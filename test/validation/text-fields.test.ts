/**
 * The text rules through GraphQL, once per text field of every mutation (README, "Text hygiene"):
 * a control, bidirectional or invisible character anywhere in any of them is a ValidationError
 * with INVALID_VALUE on that field, and nothing is written. Then the attacks of issue 7 that used
 * them (the padded date of birth, the "ext-1\u200b" duplicate), and the real names that must
 * survive.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLInputObjectType, buildSchema, getNamedType, print } from 'graphql';
import {
  AddAddressDocument,
  AddDocumentDocument,
  AddIdentifierDocument,
  ClientByExternalIdDocument,
  ClientDocument,
  ConfirmContactVerificationDocument,
  CreateClientDocument,
  CreateDocumentUploadDocument,
  RequestContactVerificationDocument,
  ReviewDocumentDocument,
  UpdateClientDocument,
} from '../generated/graphql';
import { appDate, countClients, expectMember, fieldErrorsOf, randomDocumentNumber } from '../support/clients-helpers';
import { addPendingDocument, withoutDownloadLinks } from '../support/documents-helpers';
import { createClient, pngBase64, randomSsn } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

type Member = { __typename: string };
interface Given {
  clientId: string;
  documentId: string;
}

/** One text field of one mutation: a valid value, and how to send the mutation with another value in that field. */
interface TextField {
  mutation: string;
  field: string;
  valid: string;
  /** Whether the mutation needs a document awaiting review. */
  needsDocument?: boolean;
  send: (t: TestApp, given: Given, value: string) => Promise<Member>;
}

const client = (overrides: Record<string, string>) => ({ firstName: 'Ada', lastName: 'Lovelace', ...overrides });
const address = (clientId: string, overrides: Record<string, string>) => ({
  clientId, type: 'RESIDENTIAL' as const, isPrimary: true, line1: '12 St James Square', line2: 'Flat 2', city: 'London', region: 'Greater London', postalCode: 'SW1Y 4JH', countryCode: 'GB', ...overrides,
});
const passport = (t: TestApp, clientId: string, overrides: Record<string, string>) => ({
  clientId, type: 'PASSPORT' as const, value: randomDocumentNumber(), issuingCountry: 'GB', expiresOn: appDate(t, 3650), ...overrides,
});
const document = (clientId: string, overrides: Record<string, string>) => ({
  clientId, type: 'PASSPORT' as const, fileName: 'passport.png', contentType: 'image/png', contentBase64: pngBase64, ...overrides,
});

const TEXT_FIELDS: TextField[] = [
  ...['externalId', 'firstName', 'lastName', 'email', 'mobilePhone'].map((field) => ({
    mutation: 'createClient',
    field,
    valid: { externalId: 'crm-42', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', mobilePhone: '+14155550100' }[field]!,
    send: async (t: TestApp, _given: Given, value: string) => (await t.run(CreateClientDocument, { input: client({ [field]: value }) })).createClient,
  })),
  ...['firstName', 'lastName', 'email', 'mobilePhone'].map((field) => ({
    mutation: 'updateClient',
    field,
    valid: { firstName: 'Augusta', lastName: 'King', email: 'augusta@example.com', mobilePhone: '+14155550123' }[field]!,
    send: async (t: TestApp, { clientId }: Given, value: string) => (await t.run(UpdateClientDocument, { input: { clientId, [field]: value } })).updateClient,
  })),
  ...['line1', 'line2', 'city', 'region', 'postalCode', 'countryCode'].map((field) => ({
    mutation: 'addAddress',
    field,
    valid: address('', {})[field as 'line1'],
    send: async (t: TestApp, { clientId }: Given, value: string) => (await t.run(AddAddressDocument, { input: address(clientId, { [field]: value }) })).addAddress,
  })),
  {
    mutation: 'addIdentifier',
    field: 'value',
    valid: '123-45-6789',
    send: async (t, { clientId }, value) => (await t.run(AddIdentifierDocument, { input: { clientId, type: 'SSN', value } })).addIdentifier,
  },
  {
    mutation: 'addIdentifier',
    field: 'issuingCountry',
    valid: 'GB',
    send: async (t, { clientId }, value) => (await t.run(AddIdentifierDocument, { input: passport(t, clientId, { issuingCountry: value }) })).addIdentifier,
  },
  ...['fileName', 'contentType'].map((field) => ({
    mutation: 'addDocument',
    field,
    valid: document('', {})[field as 'fileName'],
    send: async (t: TestApp, { clientId }: Given, value: string) => (await t.run(AddDocumentDocument, { input: document(clientId, { [field]: value }) })).addDocument,
  })),
  {
    mutation: 'createDocumentUpload',
    field: 'contentType',
    valid: 'application/pdf',
    send: async (t, { clientId }, value) => (await t.run(CreateDocumentUploadDocument, { input: { clientId, contentType: value, sizeBytes: 1000 } })).createDocumentUpload,
  },
  {
    mutation: 'reviewDocument',
    field: 'reason',
    valid: 'The photo is blurred.',
    needsDocument: true,
    send: async (t, { documentId }, value) => (await t.run(ReviewDocumentDocument, { input: { documentId, decision: 'REJECT', reason: value } })).reviewDocument,
  },
];

/**
 * String inputs that are not text and keep their own rules: a contact code that is not the code
 * is a wrong try (the result has no ValidationError), and base64 and hexadecimal digests are
 * checked by their alphabets.
 */
const NOT_TEXT = ['confirmContactVerification.code', 'addDocument.contentBase64', 'createDocumentUpload.sha256'];

/** Characters that must be refused wherever they are, each put into the middle of a valid value (U+FEFF at its end). */
const HOSTILE: Array<[string, (valid: string) => string]> = [
  ['NUL (U+0000)', (valid) => `${valid.slice(0, 2)}\u0000${valid.slice(2)}`],
  ['a right-to-left override (U+202E)', (valid) => `${valid.slice(0, 2)}\u202e${valid.slice(2)}`],
  ['a zero-width space (U+200B)', (valid) => `${valid.slice(0, 2)}\u200b${valid.slice(2)}`],
  ['a byte-order mark at the end (U+FEFF)', (valid) => `${valid}\ufeff`],
];

describe('text hygiene through GraphQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  /** Everything a refused mutation could have changed: the client as the API shows it, and the number of clients. */
  async function state(clientId: string) {
    const { client: shown } = await t.run(ClientDocument, { id: clientId });
    return { client: withoutDownloadLinks(shown!), clients: await countClients(t) };
  }

  async function given(textField: TextField): Promise<Given> {
    const { id: clientId } = await createClient(t);
    return { clientId, documentId: textField.needsDocument ? (await addPendingDocument(t, clientId)).id : '' };
  }

  it('covers every String field of every mutation input in the schema', () => {
    const schema = buildSchema(readFileSync(path.join(__dirname, '../../schema.graphql'), 'utf8'));
    const stringFields = Object.values(schema.getMutationType()!.getFields()).flatMap((mutation) =>
      mutation.args.flatMap((arg) => {
        const input = getNamedType(arg.type);
        if (!(input instanceof GraphQLInputObjectType)) return [];
        return Object.values(input.getFields())
          .filter((field) => getNamedType(field.type).name === 'String')
          .map((field) => `${mutation.name}.${field.name}`);
      }),
    );
    expect([...TEXT_FIELDS.map(({ mutation, field }) => `${mutation}.${field}`), ...NOT_TEXT].sort()).toEqual(stringFields.sort());
  });

  describe.each(TEXT_FIELDS.map((textField) => [`${textField.mutation}.${textField.field}`, textField] as const))('%s', (_name, textField) => {
    it.each(HOSTILE)('refuses %s with INVALID_VALUE on the field, writing nothing', async (_what, hostile) => {
      // given a client (with a document awaiting review when the mutation reviews one)
      const { clientId, documentId } = await given(textField);
      const before = await state(clientId);

      // when the mutation is sent with the character in the field
      const result = await textField.send(t, { clientId, documentId }, hostile(textField.valid));

      // then that field, and only it, is refused as INVALID_VALUE, and nothing changed
      expect(fieldErrorsOf(result)).toEqual([{ path: ['input', textField.field], code: 'INVALID_VALUE' }]);
      expect(await state(clientId)).toEqual(before);
    });

    it('accepts the valid value the table starts from', async () => {
      const { clientId, documentId } = await given(textField);
      const value = textField.field === 'externalId' ? `crm-${randomUUID()}` : textField.field === 'value' ? randomSsn() : textField.valid;
      expect((await textField.send(t, { clientId, documentId }, value)).__typename).not.toBe('ValidationError');
    });
  });

  describe('strings that are not text keep their own rules', () => {
    it('a contact code holding invisible characters is a wrong try, as any wrong code is', async () => {
      const { id: clientId } = await createClient(t);
      await t.run(RequestContactVerificationDocument, { input: { clientId, channel: 'EMAIL' } });
      const code = await t.delivery.lastCode(clientId, 'EMAIL');

      const result = await t.run(ConfirmContactVerificationDocument, { input: { clientId, channel: 'EMAIL', code: `${code.slice(0, 3)}\u200b${code.slice(3)}` } });

      expect(result.confirmContactVerification).toMatchObject({ __typename: 'ContactVerificationFailedError', reason: 'INVALID_CODE', attemptsRemaining: 4 });
    });

    it('base64 holding a bidirectional control is INVALID_FORMAT (base64 is checked by its alphabet)', async () => {
      const { id: clientId } = await createClient(t);
      const result = await t.run(AddDocumentDocument, { input: document(clientId, { contentBase64: `${pngBase64.slice(0, 8)}\u202e${pngBase64.slice(8)}` }) });
      expect(fieldErrorsOf(result.addDocument)).toEqual([{ path: ['input', 'contentBase64'], code: 'INVALID_FORMAT' }]);
    });
  });

  it('a sha256 holding an invisible character is INVALID_FORMAT (a digest is checked by its alphabet)', async () => {
    const { id: clientId } = await createClient(t);
    const digest = 'a'.repeat(64);
    const result = await t.run(CreateDocumentUploadDocument, { input: { clientId, contentType: 'application/pdf', sizeBytes: 1000, sha256: `${digest.slice(0, 8)}\u200b${digest.slice(9)}` } });
    expect(fieldErrorsOf(result.createDocumentUpload)).toEqual([{ path: ['input', 'sha256'], code: 'INVALID_FORMAT' }]);
  });

  describe('dates are parsed before they are compared', () => {
    it('refuses a date of birth of " 2099-12-31" and stores no client (issue 7)', async () => {
      const before = await countClients(t);

      const result = await t.run(CreateClientDocument, { input: client({ dateOfBirth: ' 2099-12-31' }) });

      expect(fieldErrorsOf(result.createClient)).toEqual([{ path: ['input', 'dateOfBirth'], code: 'OUT_OF_RANGE' }]);
      expect(await countClients(t)).toBe(before);
    });

    it('refuses it written into the operation as a literal, too', async () => {
      const response = await t.post<{ createClient: { __typename: string; fieldErrors: Array<{ code: string }> } }>({
        query: 'mutation { createClient(input: { firstName: "Ada", lastName: "Lovelace", dateOfBirth: " 2099-12-31" }) { __typename ... on ValidationError { fieldErrors { code } } } }',
      });
      expect(response.data?.createClient).toEqual({ __typename: 'ValidationError', fieldErrors: [{ code: 'OUT_OF_RANGE' }] });
    });

    it('refuses it on updateClient, leaving the client as it was', async () => {
      const { id: clientId } = await createClient(t, { dateOfBirth: '1990-01-01' });
      const before = await state(clientId);

      const result = await t.run(UpdateClientDocument, { input: { clientId, dateOfBirth: '2099-12-31 ' } });

      expect(fieldErrorsOf(result.updateClient)).toEqual([{ path: ['input', 'dateOfBirth'], code: 'OUT_OF_RANGE' }]);
      expect(await state(clientId)).toEqual(before);
    });

    it('stores a padded past date of birth as the date it names', async () => {
      const created = await createClient(t, { dateOfBirth: ' 1990-01-01 ' });
      expect(created.dateOfBirth).toBe('1990-01-01');
    });

    it('refuses padded expiry dates in the past on identifiers and documents', async () => {
      const { id: clientId } = await createClient(t);
      const before = await state(clientId);

      const identifier = await t.run(AddIdentifierDocument, { input: passport(t, clientId, { expiresOn: ' 2001-01-01' }) });
      const added = await t.run(AddDocumentDocument, { input: { ...document(clientId, {}), expiresOn: ` ${appDate(t, -1)}` } });

      expect(fieldErrorsOf(identifier.addIdentifier)).toEqual([{ path: ['input', 'expiresOn'], code: 'EXPIRED' }]);
      expect(fieldErrorsOf(added.addDocument)).toEqual([{ path: ['input', 'expiresOn'], code: 'EXPIRED' }]);
      expect(await state(clientId)).toEqual(before);
    });

    it('refuses a date padded with anything but spaces as INVALID_FORMAT', async () => {
      const result = await t.run(CreateClientDocument, { input: client({ dateOfBirth: '\u200b1990-01-01' }) });
      expect(fieldErrorsOf(result.createClient)).toEqual([{ path: ['input', 'dateOfBirth'], code: 'INVALID_FORMAT' }]);
    });
  });

  describe('externalId cannot be duplicated with invisible or differently composed characters', () => {
    it('refuses "ext-1\\u200b" next to "ext-1" instead of storing a second client (issue 7)', async () => {
      // given a client with an externalId
      const externalId = `ext-${randomUUID()}`;
      await createClient(t, { externalId });
      const before = await countClients(t);

      // when another is created with the same externalId and a zero-width space, or a bidi mark
      const zeroWidth = await t.run(CreateClientDocument, { input: client({ externalId: `${externalId}\u200b` }) });
      const bidi = await t.run(CreateClientDocument, { input: client({ externalId: `\u200e${externalId}` }) });

      // then both are refused, and no client was added
      expect(fieldErrorsOf(zeroWidth.createClient)).toEqual([{ path: ['input', 'externalId'], code: 'INVALID_VALUE' }]);
      expect(fieldErrorsOf(bidi.createClient)).toEqual([{ path: ['input', 'externalId'], code: 'INVALID_VALUE' }]);
      expect(await countClients(t)).toBe(before);
    });

    it('sees a padded or decomposed spelling as the same externalId: DuplicateExternalIdError', async () => {
      const suffix = randomUUID();
      await createClient(t, { externalId: `caf\u00e9-${suffix}` });

      const decomposed = await t.run(CreateClientDocument, { input: client({ externalId: `cafe\u0301-${suffix}` }) });
      const padded = await t.run(CreateClientDocument, { input: client({ externalId: `\u00a0caf\u00e9-${suffix} ` }) });

      expect(expectMember(decomposed.createClient, 'DuplicateExternalIdError').externalId).toBe(`caf\u00e9-${suffix}`);
      expect(expectMember(padded.createClient, 'DuplicateExternalIdError').externalId).toBe(`caf\u00e9-${suffix}`);
    });

    it('answers null to clientByExternalId for a value holding refused characters, and finds the NFD spelling', async () => {
      const suffix = randomUUID();
      const created = await createClient(t, { externalId: `caf\u00e9-${suffix}` });

      const lookup = async (externalId: string) => (await t.run(ClientByExternalIdDocument, { externalId })).clientByExternalId?.id ?? null;

      expect(await lookup(`caf\u00e9-${suffix}\u200b`)).toBeNull();
      expect(await lookup(`caf\u00e9-${suffix}\u202e`)).toBeNull();
      expect(await lookup(`caf\u00e9\u200d-${suffix}`)).toBeNull();
      expect(await lookup(`cafe\u0301-${suffix}`)).toBe(created.id);
    });

    it('refuses a joiner in an externalId even between two letters (never allowed in identifiers)', async () => {
      const result = await t.run(CreateClientDocument, { input: client({ externalId: `crm\u200dx-${randomUUID()}` }) });
      expect(fieldErrorsOf(result.createClient)).toEqual([{ path: ['input', 'externalId'], code: 'INVALID_VALUE' }]);
    });
  });

  describe('real names survive', () => {
    it('keeps a Persian name with a zero-width non-joiner, stores "Zoë" typed decomposed as NFC, and keeps an emoji ZWJ sequence', async () => {
      const created = await createClient(t, { firstName: 'Zoe\u0308', lastName: 'نیک\u200cنام' });
      const updated = await t.run(UpdateClientDocument, { input: { clientId: created.id, firstName: 'می\u200cخواهم 👩🏽\u200d💻' } });

      expect(created).toMatchObject({ firstName: 'Zo\u00eb', lastName: 'نیک\u200cنام' });
      expect(expectMember(updated.updateClient, 'ClientPayload').client.firstName).toBe('می\u200cخواهم 👩🏽\u200d💻');
    });

    it('refuses a zero-width joiner in a name where it joins nothing', async () => {
      const result = await t.run(CreateClientDocument, { input: client({ lastName: 'Lovelace\u200d' }) });
      expect(fieldErrorsOf(result.createClient)).toEqual([{ path: ['input', 'lastName'], code: 'INVALID_VALUE' }]);
    });

    it('keeps a Persian street name and a two-line rejection reason', async () => {
      const { id: clientId } = await createClient(t);
      const added = await t.run(AddAddressDocument, {
        input: { clientId, type: 'RESIDENTIAL', isPrimary: true, line1: 'خیابان ولی\u200cعصر، پلاک ۱۲', city: 'تهران', postalCode: '1416634564', countryCode: 'IR' },
      });
      const { id: documentId } = await addPendingDocument(t, clientId);
      const rejected = await t.run(ReviewDocumentDocument, { input: { documentId, decision: 'REJECT', reason: 'The photo is blurred.\r\nPlease upload another scan.' } });

      expect(expectMember(added.addAddress, 'AddAddressSuccess').address).toMatchObject({ line1: 'خیابان ولی\u200cعصر، پلاک ۱۲', city: 'تهران' });
      expect(expectMember(rejected.reviewDocument, 'ReviewDocumentSuccess').document.rejectionReason).toBe('The photo is blurred.\nPlease upload another scan.');
    });

    it('counts the 100-character limit of a name after normalisation', async () => {
      const created = await createClient(t, { lastName: 'e\u0301'.repeat(100) });
      expect(created.lastName).toBe('\u00e9'.repeat(100));
    });
  });

  it('answers ValidationError, not a GraphQL error, for a lone surrogate (no Unicode text at all)', async () => {
    const response = await t.post<{ createClient: { __typename: string; fieldErrors: Array<{ path: string[]; code: string }> } }>({
      query: print(CreateClientDocument),
      variables: { input: client({ firstName: 'Ada\ud800' }) },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.createClient.fieldErrors.map(({ path, code }) => ({ path, code }))).toEqual([{ path: ['input', 'firstName'], code: 'INVALID_VALUE' }]);
  });
});
