import { randomInt } from 'node:crypto';
import {
  AddAddressDocument,
  AddDocumentDocument,
  AddIdentifierDocument,
  ConfirmContactVerificationDocument,
  CreateClientDocument,
  CreateClientInput,
  RequestContactVerificationDocument,
  ReviewDocumentDocument,
} from '../generated/graphql';
import type { TestApp } from './test-app';

/** Smallest real files of each accepted type (the server sniffs the bytes). */
export const PNG_BYTES = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
export const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

export const pngBase64 = PNG_BYTES.toString('base64');
export const pdfBase64 = PDF_BYTES.toString('base64');
export const jpegBase64 = JPEG_BYTES.toString('base64');

/** A structurally valid SSN, different on each call (area 001-665, group 01-99, serial 0001-9999). */
export function randomSsn(): string {
  const area = String(randomInt(1, 666)).padStart(3, '0');
  const group = String(randomInt(1, 100)).padStart(2, '0');
  const serial = String(randomInt(1, 10000)).padStart(4, '0');
  return `${area}-${group}-${serial}`;
}

export async function createClient(t: Pick<TestApp, 'run'>, input: Partial<CreateClientInput> = {}) {
  const result = await t.run(CreateClientDocument, {
    input: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', mobilePhone: '+14155550100', ...input },
  });
  if (result.createClient.__typename !== 'ClientPayload') throw new Error(`createClient: ${JSON.stringify(result.createClient)}`);
  return result.createClient.client;
}

export async function addPrimaryAddress(t: TestApp, clientId: string) {
  const result = await t.run(AddAddressDocument, {
    input: { clientId, type: 'RESIDENTIAL', isPrimary: true, line1: '1 Main Street', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
  });
  if (result.addAddress.__typename !== 'AddAddressSuccess') throw new Error(`addAddress: ${JSON.stringify(result.addAddress)}`);
  return result.addAddress.address;
}

export async function addSsn(t: TestApp, clientId: string, value = randomSsn()) {
  const result = await t.run(AddIdentifierDocument, { input: { clientId, type: 'SSN', value } });
  if (result.addIdentifier.__typename !== 'AddIdentifierSuccess') throw new Error(`addIdentifier: ${JSON.stringify(result.addIdentifier)}`);
  return result.addIdentifier.identifier;
}

export async function addAcceptedPassportDocument(t: TestApp, clientId: string) {
  const added = await t.run(AddDocumentDocument, {
    input: { clientId, type: 'PASSPORT', fileName: 'passport.png', contentType: 'image/png', contentBase64: pngBase64 },
  });
  if (added.addDocument.__typename !== 'AddDocumentSuccess') throw new Error(`addDocument: ${JSON.stringify(added.addDocument)}`);
  const reviewed = await t.run(ReviewDocumentDocument, { input: { documentId: added.addDocument.document.id, decision: 'ACCEPT' } });
  if (reviewed.reviewDocument.__typename !== 'ReviewDocumentSuccess') throw new Error(`reviewDocument: ${JSON.stringify(reviewed.reviewDocument)}`);
  return reviewed.reviewDocument.document;
}

export async function confirmContact(t: TestApp, clientId: string, channel: 'EMAIL' | 'MOBILE_PHONE') {
  const requested = await t.run(RequestContactVerificationDocument, { input: { clientId, channel } });
  if (requested.requestContactVerification.__typename !== 'ContactVerificationRequested') {
    throw new Error(`requestContactVerification: ${JSON.stringify(requested.requestContactVerification)}`);
  }
  const confirmed = await t.run(ConfirmContactVerificationDocument, {
    input: { clientId, channel, code: await t.delivery.lastCode(clientId, channel) },
  });
  if (confirmed.confirmContactVerification.__typename !== 'ClientPayload') {
    throw new Error(`confirmContactVerification: ${JSON.stringify(confirmed.confirmContactVerification)}`);
  }
  return confirmed.confirmContactVerification.client;
}

/** A client that meets every PARTIAL requirement (and FULL too with `full`). */
export async function verifiableClient(t: TestApp, { full = false, input = {} as Partial<CreateClientInput> } = {}) {
  const client = await createClient(t, input);
  await addPrimaryAddress(t, client.id);
  await addSsn(t, client.id);
  await confirmContact(t, client.id, 'EMAIL');
  await confirmContact(t, client.id, 'MOBILE_PHONE');
  if (full) await addAcceptedPassportDocument(t, client.id);
  return client;
}
