import {
  ActivateClientDocument,
  AddAddressDocument,
  ClientDocument,
  DeactivateIdentifierShowingHistoryDocument,
  RemoveAddressShowingHistoryDocument,
  UpdateClientShowingHistoryDocument,
  VerifyClientDocument,
} from '../generated/graphql';
import { expectMember } from '../support/clients-helpers';
import { addSsn, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

type Change = 'removeAddress' | 'deactivateIdentifier' | 'newEmail' | 'newMobilePhone';

describe('a change that breaks a verified level', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  /** A client verified PARTIAL, with its primary address and its only identifier. */
  async function verifiedClient() {
    const created = await verifiableClient(t);
    const client = expectMember(
      (await t.run(VerifyClientDocument, { input: { clientId: created.id, kycVerificationType: 'PARTIAL' } })).verifyClient,
      'VerifyClientSuccess',
    ).client;
    expect(client).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'PARTIAL' });
    const { addresses, identifiers } = (await t.run(ClientDocument, { id: client.id })).client!;
    expect(addresses).toHaveLength(1);
    expect(identifiers).toHaveLength(1);
    return { client, primaryAddress: addresses[0], identifier: identifiers[0] };
  }

  async function activeClient() {
    const verified = await verifiedClient();
    const client = expectMember((await t.run(ActivateClientDocument, { input: { clientId: verified.client.id } })).activateClient, 'ActivateClientSuccess').client;
    expect(client.status).toBe('ACTIVE');
    return { ...verified, client };
  }

  /** Makes `change` to the client and returns the client as that mutation's response shows it. */
  async function make(change: Change, subject: Awaited<ReturnType<typeof verifiedClient>>) {
    switch (change) {
      case 'removeAddress':
        return expectMember((await t.run(RemoveAddressShowingHistoryDocument, { id: subject.primaryAddress.id })).removeAddress, 'ClientPayload').client;
      case 'deactivateIdentifier':
        return expectMember((await t.run(DeactivateIdentifierShowingHistoryDocument, { id: subject.identifier.id })).deactivateIdentifier, 'ClientPayload')
          .client;
      case 'newEmail':
        return expectMember(
          (await t.run(UpdateClientShowingHistoryDocument, { input: { clientId: subject.client.id, email: 'someone.new@example.com' } })).updateClient,
          'ClientPayload',
        ).client;
      case 'newMobilePhone':
        return expectMember(
          (await t.run(UpdateClientShowingHistoryDocument, { input: { clientId: subject.client.id, mobilePhone: '+447400123456' } })).updateClient,
          'ClientPayload',
        ).client;
    }
  }

  it.each([
    ['loses its primary address', 'removeAddress', 'PRIMARY_ADDRESS'],
    ['loses its only identifier', 'deactivateIdentifier', 'IDENTITY_DOCUMENT'],
    ['gets a new, unverified email', 'newEmail', 'EMAIL_VERIFICATION'],
    ['gets a new, unverified mobile phone', 'newMobilePhone', 'MOBILE_PHONE_VERIFICATION'],
  ] as const)('sends a VERIFIED client that %s back to PENDING in that same mutation', async (_what, change, missing) => {
    // given a client verified PARTIAL
    const subject = await verifiedClient();

    // when the change is made
    const client = await make(change, subject);

    // then that mutation's response already shows it PENDING with no level, one version later,
    // with VERIFICATION_REVOKED (VERIFIED -> PENDING) as the last event
    expect(client).toMatchObject({ status: 'PENDING', kycVerificationType: null, version: subject.client.version + 1 });
    const last = client.history.at(-1)!;
    expect(last).toMatchObject({ type: 'VERIFICATION_REVOKED', fromStatus: 'VERIFIED', toStatus: 'PENDING' });
    expect(last.detail).toMatchObject({ kycVerificationType: 'PARTIAL', missingRequirements: expect.arrayContaining([missing]) });
    expect(client.history.filter((event) => event.type === 'VERIFICATION_REVOKED')).toHaveLength(1);
    const stored = (await t.run(ClientDocument, { id: subject.client.id })).client!;
    expect(stored).toMatchObject({ status: 'PENDING', kycVerificationType: null, version: client.version });
    expect(stored.partial.map((requirement) => requirement.code)).toContain(missing);
  });

  it('keeps a client VERIFIED when a change leaves its level met', async () => {
    // given a verified client with a second address and a second identifier
    const subject = await verifiedClient();
    const extra = await t.run(AddAddressDocument, {
      input: { clientId: subject.client.id, type: 'MAILING', isPrimary: false, line1: 'PO Box 7', city: 'Springfield', postalCode: '12345', countryCode: 'US' },
    });
    const mailing = expectMember(extra.addAddress, 'AddAddressSuccess').address;
    await addSsn(t, subject.client.id);

    // when the extra address is removed and the first identifier deactivated
    expectMember((await t.run(RemoveAddressShowingHistoryDocument, { id: mailing.id })).removeAddress, 'ClientPayload');
    const deactivated = await t.run(DeactivateIdentifierShowingHistoryDocument, { id: subject.identifier.id });

    // then it is still VERIFIED PARTIAL with no revocation in its history
    const client = expectMember(deactivated.deactivateIdentifier, 'ClientPayload').client;
    expect(client).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'PARTIAL', version: subject.client.version + 4 });
    expect(client.history.map((event) => event.type)).not.toContain('VERIFICATION_REVOKED');
  });

  it.each([
    ['loses its primary address', 'removeAddress', 'PRIMARY_ADDRESS'],
    ['loses its only identifier', 'deactivateIdentifier', 'IDENTITY_DOCUMENT'],
    ['gets a new email', 'newEmail', 'EMAIL_VERIFICATION'],
    ['gets a new mobile phone', 'newMobilePhone', 'MOBILE_PHONE_VERIFICATION'],
  ] as const)('never moves an ACTIVE client back when it %s, but flags it for re-verification', async (_what, change, missing) => {
    // given an ACTIVE client
    const subject = await activeClient();
    expect(subject.client.reverificationRequired).toBe(false);

    // when the change is made
    const client = await make(change, subject);

    // then it stays ACTIVE at its level, nothing was revoked, and it needs re-verification
    expect(client).toMatchObject({ status: 'ACTIVE', kycVerificationType: 'PARTIAL', reverificationRequired: true, version: subject.client.version + 1 });
    expect(client.history.map((event) => event.type)).not.toContain('VERIFICATION_REVOKED');
    expect(client.history.at(-1)).toMatchObject({
      type: 'REVERIFICATION_REQUIRED',
      fromStatus: null,
      toStatus: null,
      detail: { kycVerificationType: 'PARTIAL', missingRequirements: [missing] },
    });
    expect((await t.run(ClientDocument, { id: subject.client.id })).client).toMatchObject({
      status: 'ACTIVE',
      kycVerificationType: 'PARTIAL',
      reverificationRequired: true,
    });
  });
});
