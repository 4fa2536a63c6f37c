import {
  ActivateClientDocument,
  ClientDocument,
  ClientHistoryDocument,
  DeactivateIdentifierShowingHistoryDocument,
  KycVerificationType,
  RemoveAddressShowingHistoryDocument,
  UpdateClientShowingHistoryDocument,
  VerifyClientShowingHistoryDocument,
} from '../generated/graphql';
import { expectMember } from '../support/clients-helpers';
import { addPrimaryAddress, addSsn, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/** "After verification" in onboarding-rules.md: later changes must not quietly undo verification. */
describe('after verification', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const verify = async (clientId: string, kycVerificationType: KycVerificationType) =>
    (await t.run(VerifyClientShowingHistoryDocument, { input: { clientId, kycVerificationType } })).verifyClient;
  const update = async (input: { clientId: string; firstName?: string; lastName?: string; dateOfBirth?: string | null; email?: string }) =>
    expectMember((await t.run(UpdateClientShowingHistoryDocument, { input })).updateClient, 'ClientPayload').client;
  const stored = async (id: string) => (await t.run(ClientHistoryDocument, { id })).client!;

  async function verifiedClient(level: KycVerificationType = 'PARTIAL') {
    const created = await verifiableClient(t, { full: level === 'FULL', input: { dateOfBirth: '1990-12-10' } });
    const client = expectMember(await verify(created.id, level), 'VerifyClientSuccess').client;
    expect(client).toMatchObject({ status: 'VERIFIED', kycVerificationType: level, reverificationRequired: false });
    return client;
  }

  async function activeClient(level: KycVerificationType = 'PARTIAL') {
    const verified = await verifiedClient(level);
    const client = expectMember((await t.run(ActivateClientDocument, { input: { clientId: verified.id } })).activateClient, 'ActivateClientSuccess').client;
    expect(client).toMatchObject({ status: 'ACTIVE', reverificationRequired: false });
    return client;
  }

  /** Removes the client's primary address: the usual way to break its level. */
  async function removePrimaryAddress(clientId: string) {
    const primary = (await t.run(ClientDocument, { id: clientId })).client!.addresses.find((address) => address.isPrimary)!;
    return expectMember((await t.run(RemoveAddressShowingHistoryDocument, { id: primary.id })).removeAddress, 'ClientPayload').client;
  }

  describe('a staff correction of identity facts', () => {
    it.each([
      ['firstName', { firstName: 'Augusta' }],
      ['lastName', { lastName: 'King' }],
      ['dateOfBirth', { dateOfBirth: '1990-12-11' }],
    ] as const)('sends a VERIFIED client back to PENDING when its %s changes', async (field, change) => {
      // given a VERIFIED client that meets every requirement
      const subject = await verifiedClient();

      // when staff correct one identity fact
      const client = await update({ clientId: subject.id, ...change });

      // then it is PENDING with no level, and the revocation names the corrected fact
      expect(client).toMatchObject({ status: 'PENDING', kycVerificationType: null, verifiedAt: null, version: subject.version + 1 });
      expect(client.history.slice(-2)).toEqual([
        expect.objectContaining({ type: 'CLIENT_UPDATED', detail: { fields: [field] } }),
        {
          type: 'VERIFICATION_REVOKED',
          fromStatus: 'VERIFIED',
          toStatus: 'PENDING',
          detail: { kycVerificationType: 'PARTIAL', missingRequirements: [], correctedIdentityFacts: [field] },
        },
      ]);
    });

    it('keeps an ACTIVE client ACTIVE and flags it for re-verification', async () => {
      // given an ACTIVE client
      const subject = await activeClient();

      // when staff correct its last name
      const client = await update({ clientId: subject.id, lastName: 'King' });

      // then it stays ACTIVE at its level, needs re-verification, and the event says why
      expect(client).toMatchObject({ status: 'ACTIVE', kycVerificationType: 'PARTIAL', reverificationRequired: true, version: subject.version + 1 });
      expect(client.history.at(-1)).toEqual({
        type: 'REVERIFICATION_REQUIRED',
        fromStatus: null,
        toStatus: null,
        detail: { kycVerificationType: 'PARTIAL', missingRequirements: [], correctedIdentityFacts: ['lastName'] },
      });
    });

    it('is not a correction when the value is the same (after trimming)', async () => {
      // given an ACTIVE client named Ada Lovelace
      const subject = await activeClient();

      // when the same names are sent again
      const client = await update({ clientId: subject.id, firstName: ' Ada ', lastName: 'Lovelace' });

      // then nothing changed at all
      expect(client).toMatchObject({ status: 'ACTIVE', reverificationRequired: false, version: subject.version });
      expect(client.history.map((event) => event.type)).not.toContain('REVERIFICATION_REQUIRED');
    });

    it('changes nothing about the status of a PENDING client', async () => {
      const created = await verifiableClient(t);
      const client = await update({ clientId: created.id, firstName: 'Augusta' });
      expect(client).toMatchObject({ status: 'PENDING', firstName: 'Augusta', reverificationRequired: false });
      expect(client.history.map((event) => event.type)).toEqual(expect.not.arrayContaining(['VERIFICATION_REVOKED', 'REVERIFICATION_REQUIRED']));
    });
  });

  describe('an ACTIVE client that needs re-verification', () => {
    it('records REVERIFICATION_REQUIRED once, however many breaking changes follow', async () => {
      // given an ACTIVE client flagged by the loss of its primary address
      const subject = await activeClient();
      const flagged = await removePrimaryAddress(subject.id);
      expect(flagged.reverificationRequired).toBe(true);

      // when its only identifier is deactivated too
      const { identifiers } = (await t.run(ClientDocument, { id: subject.id })).client!;
      const after = expectMember(
        (await t.run(DeactivateIdentifierShowingHistoryDocument, { id: identifiers[0].id })).deactivateIdentifier,
        'ClientPayload',
      ).client;

      // then it is still ACTIVE and flagged, with one REVERIFICATION_REQUIRED event in its history
      expect(after).toMatchObject({ status: 'ACTIVE', reverificationRequired: true, version: subject.version + 2 });
      expect(after.history.filter((event) => event.type === 'REVERIFICATION_REQUIRED')).toHaveLength(1);
    });

    it('is refused re-verification, with every missing requirement, while requirements are still missing', async () => {
      // given a flagged ACTIVE client without a primary address
      const subject = await activeClient();
      const flagged = await removePrimaryAddress(subject.id);

      // when it is verified at its level
      const result = expectMember(await verify(subject.id, 'PARTIAL'), 'VerificationRequirementsNotMetError');

      // then the missing address is named and nothing changed
      expect(result.missingRequirements.map((requirement) => requirement.code)).toEqual(['PRIMARY_ADDRESS']);
      expect(await stored(subject.id)).toMatchObject({ status: 'ACTIVE', reverificationRequired: true, version: flagged.version });
    });

    it('is re-verified at its level once the requirements hold again, which clears the flag', async () => {
      // given a flagged ACTIVE client that then gets a new primary address
      const subject = await activeClient();
      await removePrimaryAddress(subject.id);
      await addPrimaryAddress(t, subject.id);
      const before = await stored(subject.id);
      expect(before).toMatchObject({ status: 'ACTIVE', reverificationRequired: true });

      // when it is verified at its own level
      const client = expectMember(await verify(subject.id, 'PARTIAL'), 'VerifyClientSuccess').client;

      // then it stays ACTIVE, the flag is cleared, and CLIENT_VERIFIED (ACTIVE -> ACTIVE) is recorded
      expect(client).toMatchObject({ status: 'ACTIVE', kycVerificationType: 'PARTIAL', reverificationRequired: false, version: before.version + 1 });
      expect(Date.parse(client.verifiedAt!)).toBeGreaterThan(Date.parse(subject.verifiedAt!));
      expect(client.history.at(-1)).toEqual({
        type: 'CLIENT_VERIFIED',
        fromStatus: 'ACTIVE',
        toStatus: 'ACTIVE',
        detail: { requested: 'PARTIAL', kycVerificationType: 'PARTIAL', reverification: true },
      });

      // and a later breaking change flags it again
      const again = await removePrimaryAddress(subject.id);
      expect(again.reverificationRequired).toBe(true);
      expect(again.history.filter((event) => event.type === 'REVERIFICATION_REQUIRED')).toHaveLength(2);
    });

    it('cannot be verified at a lower level than its own', async () => {
      // given a FULL ACTIVE client flagged by a name correction
      const subject = await activeClient('FULL');
      const flagged = await update({ clientId: subject.id, firstName: 'Augusta' });
      expect(flagged.reverificationRequired).toBe(true);

      // when it is verified PARTIAL
      const result = expectMember(await verify(subject.id, 'PARTIAL'), 'InvalidClientStatusError');

      // then that is refused and nothing changed
      expect(result).toMatchObject({ clientId: subject.id, currentStatus: 'ACTIVE' });
      expect(await stored(subject.id)).toMatchObject({ kycVerificationType: 'FULL', reverificationRequired: true, version: flagged.version });
    });

    it('clears the flag by an upgrade too', async () => {
      // given a PARTIAL ACTIVE client, flagged, that meets FULL
      const created = await verifiableClient(t, { full: true });
      expectMember(await verify(created.id, 'PARTIAL'), 'VerifyClientSuccess');
      expectMember((await t.run(ActivateClientDocument, { input: { clientId: created.id } })).activateClient, 'ActivateClientSuccess');
      const flagged = await update({ clientId: created.id, lastName: 'King' });
      expect(flagged.reverificationRequired).toBe(true);

      // when it is verified FULL
      const client = expectMember(await verify(created.id, 'FULL'), 'VerifyClientSuccess').client;

      // then it is ACTIVE FULL and no longer flagged
      expect(client).toMatchObject({ status: 'ACTIVE', kycVerificationType: 'FULL', reverificationRequired: false });
    });
  });

  it('refuses verifyClient at its own level on an ACTIVE client that needs no re-verification', async () => {
    // given an ACTIVE PARTIAL client with nothing missing
    const subject = await activeClient();

    // when it is verified PARTIAL again
    const result = expectMember(await verify(subject.id, 'PARTIAL'), 'InvalidClientStatusError');

    // then it is refused and nothing changed
    expect(result).toMatchObject({ clientId: subject.id, currentStatus: 'ACTIVE', allowedStatuses: ['PENDING', 'VERIFIED'] });
    expect(await stored(subject.id)).toMatchObject({ status: 'ACTIVE', version: subject.version });
  });

  it('never flags a VERIFIED client (it is revoked instead) and adding data to an ACTIVE one flags nothing', async () => {
    // given an ACTIVE client
    const subject = await activeClient();

    // when it gets a second identifier
    await addSsn(t, subject.id);

    // then it is not flagged
    expect(await stored(subject.id)).toMatchObject({ status: 'ACTIVE', reverificationRequired: false, version: subject.version + 1 });
  });
});
