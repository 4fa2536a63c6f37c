import {
  ActivateClientDocument,
  ClientDocument,
  VerifyClientDocument,
} from '../generated/graphql';
import { journeyHistory } from '../client/journey-expectations';
import { createClient, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('the onboarding journey', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('takes a client from PENDING through VERIFIED to ACTIVE, recording every step', async () => {
    // given a client that meets the FULL requirements
    const created = await verifiableClient(t, { full: true });

    // when it is verified FULL and activated
    const verified = await t.run(VerifyClientDocument, { input: { clientId: created.id, kycVerificationType: 'FULL' } });
    expect(verified.verifyClient.__typename).toBe('VerifyClientSuccess');
    const activated = await t.run(ActivateClientDocument, { input: { clientId: created.id } });

    // then it is ACTIVE at FULL, and history holds every mutation in order
    if (activated.activateClient.__typename !== 'ActivateClientSuccess') throw new Error(JSON.stringify(activated.activateClient));
    const client = activated.activateClient.client;
    expect(client.status).toBe('ACTIVE');
    expect(client.kycVerificationType).toBe('FULL');
    expect(client.verifiedAt).not.toBeNull();
    expect(client.activatedAt).not.toBeNull();
    expect(client.history.map((event) => event.type)).toEqual(journeyHistory({ full: true }));
    expect(client.version).toBe(11);
    const verifiedEvent = client.history.find((event) => event.type === 'CLIENT_VERIFIED');
    expect(verifiedEvent).toMatchObject({ fromStatus: 'PENDING', toStatus: 'VERIFIED' });
  });

  it('refuses to verify a client with missing requirements, lists them all, and changes nothing', async () => {
    const client = await createClient(t, { email: null, mobilePhone: '+14155550123' });
    const before = await t.run(ClientDocument, { id: client.id });

    const result = await t.run(VerifyClientDocument, { input: { clientId: client.id, kycVerificationType: 'PARTIAL' } });

    if (result.verifyClient.__typename !== 'VerificationRequirementsNotMetError') throw new Error(JSON.stringify(result.verifyClient));
    expect(result.verifyClient.kycVerificationType).toBe('PARTIAL');
    expect(result.verifyClient.clientId).toBe(client.id);
    expect(result.verifyClient.missingRequirements.map((r) => r.code)).toEqual([
      'PRIMARY_ADDRESS',
      'IDENTITY_DOCUMENT',
      'EMAIL_ADDRESS',
      'MOBILE_PHONE_VERIFICATION',
    ]);
    const after = await t.run(ClientDocument, { id: client.id });
    expect(after.client).toEqual(before.client);
  });
});
