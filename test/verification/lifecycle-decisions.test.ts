/**
 * Every status decision of lifecycle.ts, pure: clients and snapshots built in memory, no database,
 * no app. Each case follows "Lifecycle" and "After verification" in ../shared/onboarding-rules.md;
 * lifecycle.test.ts and after-verification.test.ts check the same rules through GraphQL.
 */
import type { Client } from '../../src/generated/prisma/client';
import type { ClientStatus, KycVerificationType } from '../../src/generated/prisma/enums';
import {
  Decision,
  correctedIdentityFacts,
  decideActivate,
  decideAfterChange,
  decideCreate,
  decideIdentityCorrection,
  decideVerify,
  isVerificationAtStake,
} from '../../src/modules/verification/lifecycle';
import { DEFAULT_REQUIREMENT_POLICY } from '../../src/modules/verification/requirement-policy';
import type { ClientSnapshot } from '../../src/modules/verification/requirements';

const policy = DEFAULT_REQUIREMENT_POLICY;
const now = new Date('2030-06-15T12:00:00Z');
const earlier = new Date('2030-01-01T09:00:00Z');

function clientIn(status: ClientStatus, kycVerificationType: KycVerificationType | null, more: Partial<Client> = {}): Client {
  return {
    id: '6f1c0c3e-2a4b-4f7e-9d1a-0b5c8e2f4a10',
    externalId: null,
    firstName: 'Ada',
    lastName: 'Lovelace',
    dateOfBirth: new Date('1990-12-10T00:00:00Z'),
    email: 'ada@example.com',
    emailVerified: true,
    mobilePhone: '+14155550100',
    mobilePhoneVerified: true,
    status,
    kycVerificationType,
    verifiedAt: kycVerificationType === null ? null : earlier,
    activatedAt: status === 'ACTIVE' ? earlier : null,
    createdAt: earlier,
    updatedAt: earlier,
    version: 5,
    reverificationRequired: false,
    ...more,
  };
}

/** Everything FULL needs under the default policy (PARTIAL needs a subset). */
function fullSnapshot(client: Client, more: Partial<ClientSnapshot> = {}): ClientSnapshot {
  return {
    ...client,
    addresses: [{ isPrimary: true }],
    identifiers: [{ type: 'SSN', status: 'ACTIVE', expiresOn: null }],
    documents: [{ type: 'PASSPORT', status: 'ACCEPTED', expiresOn: null }],
    ...more,
  };
}

/** Meets PARTIAL, misses FULL's PHYSICAL_ID_DOCUMENT. */
const partialSnapshot = (client: Client) => fullSnapshot(client, { documents: [] });

function transitionOf(decision: Decision) {
  if (!decision.ok) throw new Error(`expected a transition, got ${JSON.stringify(decision.failure)}`);
  return decision.transition;
}

function failureOf(decision: Decision) {
  if (decision.ok) throw new Error(`expected a failure, got ${JSON.stringify(decision.transition)}`);
  return decision.failure;
}

describe('createClient', () => {
  it('starts every client PENDING with no verified level, recorded as CLIENT_CREATED', () => {
    expect(decideCreate()).toEqual({
      clientData: { status: 'PENDING', kycVerificationType: null, reverificationRequired: false },
      event: { type: 'CLIENT_CREATED', toStatus: 'PENDING' },
    });
  });
});

describe('decideVerify', () => {
  it('moves a PENDING client that meets PARTIAL to VERIFIED, setting the level and verifiedAt', () => {
    const client = clientIn('PENDING', null);

    const transition = transitionOf(decideVerify(client, partialSnapshot(client), 'PARTIAL', policy, now));

    expect(transition).toEqual({
      clientData: { status: 'VERIFIED', kycVerificationType: 'PARTIAL', verifiedAt: now, reverificationRequired: false },
      event: { type: 'CLIENT_VERIFIED', fromStatus: 'PENDING', toStatus: 'VERIFIED', detail: { requested: 'PARTIAL', kycVerificationType: 'PARTIAL' } },
    });
  });

  it('refuses when requirements are missing, listing every one of them, not just the first', () => {
    const client = clientIn('PENDING', null, { email: null, emailVerified: false, mobilePhoneVerified: false });
    const bare = fullSnapshot(client, { addresses: [], identifiers: [], documents: [] });

    const failure = failureOf(decideVerify(client, bare, 'FULL', policy, now));

    if (failure.kind !== 'requirementsNotMet') throw new Error(JSON.stringify(failure));
    expect(failure.level).toBe('FULL');
    // No email: EMAIL_VERIFICATION is not listed, only EMAIL_ADDRESS.
    expect(failure.missing.map((requirement) => requirement.code)).toEqual([
      'PRIMARY_ADDRESS',
      'IDENTITY_DOCUMENT',
      'TAX_IDENTIFIER',
      'PHYSICAL_ID_DOCUMENT',
      'EMAIL_ADDRESS',
      'MOBILE_PHONE_VERIFICATION',
    ]);
  });

  it('re-verifies a VERIFIED client at its level and upgrades it PARTIAL to FULL; it stays VERIFIED', () => {
    const client = clientIn('VERIFIED', 'PARTIAL');

    const again = transitionOf(decideVerify(client, partialSnapshot(client), 'PARTIAL', policy, now));
    const upgraded = transitionOf(decideVerify(client, fullSnapshot(client), 'FULL', policy, now));

    expect(again.clientData).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'PARTIAL', verifiedAt: now });
    expect(again.event).toMatchObject({ type: 'CLIENT_VERIFIED', fromStatus: 'VERIFIED', toStatus: 'VERIFIED' });
    expect(upgraded.clientData).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'FULL', verifiedAt: now });
  });

  it('never lowers the level: a FULL client verified PARTIAL keeps FULL', () => {
    const client = clientIn('VERIFIED', 'FULL');

    const transition = transitionOf(decideVerify(client, fullSnapshot(client), 'PARTIAL', policy, now));

    expect(transition.clientData).toMatchObject({ status: 'VERIFIED', kycVerificationType: 'FULL' });
    expect(transition.event.detail).toEqual({ requested: 'PARTIAL', kycVerificationType: 'FULL' });
  });

  it("checks the level kept, not the one asked: a FULL client verified PARTIAL without FULL's requirements is refused", () => {
    const client = clientIn('VERIFIED', 'FULL');

    const failure = failureOf(decideVerify(client, partialSnapshot(client), 'PARTIAL', policy, now));

    if (failure.kind !== 'requirementsNotMet') throw new Error(JSON.stringify(failure));
    expect(failure.level).toBe('FULL');
    expect(failure.missing.map((requirement) => requirement.code)).toEqual(['PHYSICAL_ID_DOCUMENT']);
  });

  it('upgrades an ACTIVE PARTIAL client to FULL and keeps it ACTIVE', () => {
    const client = clientIn('ACTIVE', 'PARTIAL');

    const transition = transitionOf(decideVerify(client, fullSnapshot(client), 'FULL', policy, now));

    expect(transition.clientData).toMatchObject({ status: 'ACTIVE', kycVerificationType: 'FULL', verifiedAt: now });
    expect(transition.event).toMatchObject({ type: 'CLIENT_VERIFIED', fromStatus: 'ACTIVE', toStatus: 'ACTIVE' });
  });

  it.each<[KycVerificationType, KycVerificationType]>([
    ['PARTIAL', 'PARTIAL'],
    ['FULL', 'FULL'],
    ['FULL', 'PARTIAL'],
  ])('refuses to verify an unflagged ACTIVE %s client at %s (upgrade only), allowing PENDING and VERIFIED', (level, requested) => {
    const client = clientIn('ACTIVE', level);

    const failure = failureOf(decideVerify(client, fullSnapshot(client), requested, policy, now));

    expect(failure).toMatchObject({ kind: 'invalidStatus', clientId: client.id, currentStatus: 'ACTIVE', allowedStatuses: ['PENDING', 'VERIFIED'] });
  });

  it('re-verifies an ACTIVE client flagged for re-verification at its own level, clearing the flag', () => {
    const client = clientIn('ACTIVE', 'PARTIAL', { reverificationRequired: true });

    const transition = transitionOf(decideVerify(client, partialSnapshot(client), 'PARTIAL', policy, now));

    expect(transition).toEqual({
      clientData: { status: 'ACTIVE', kycVerificationType: 'PARTIAL', verifiedAt: now, reverificationRequired: false },
      event: {
        type: 'CLIENT_VERIFIED',
        fromStatus: 'ACTIVE',
        toStatus: 'ACTIVE',
        detail: { requested: 'PARTIAL', kycVerificationType: 'PARTIAL', reverification: true },
      },
    });
  });

  it('refuses a flagged ACTIVE FULL client asked for PARTIAL: re-verification is at its own level', () => {
    const client = clientIn('ACTIVE', 'FULL', { reverificationRequired: true });

    const failure = failureOf(decideVerify(client, fullSnapshot(client), 'PARTIAL', policy, now));

    expect(failure).toMatchObject({ kind: 'invalidStatus', currentStatus: 'ACTIVE', allowedStatuses: ['PENDING', 'VERIFIED'] });
  });

  it('refuses re-verification of a flagged ACTIVE client that still misses a requirement', () => {
    const client = clientIn('ACTIVE', 'PARTIAL', { reverificationRequired: true });

    const failure = failureOf(decideVerify(client, fullSnapshot(client, { addresses: [] }), 'PARTIAL', policy, now));

    expect(failure).toMatchObject({ kind: 'requirementsNotMet', level: 'PARTIAL', missing: [{ code: 'PRIMARY_ADDRESS' }] });
  });
});

describe('decideActivate', () => {
  it('moves a VERIFIED client whose level still holds to ACTIVE, recorded as CLIENT_ACTIVATED', () => {
    const client = clientIn('VERIFIED', 'PARTIAL');

    const transition = transitionOf(decideActivate(client, partialSnapshot(client), policy, now));

    expect(transition).toEqual({
      clientData: { status: 'ACTIVE', activatedAt: now },
      event: { type: 'CLIENT_ACTIVATED', fromStatus: 'VERIFIED', toStatus: 'ACTIVE', detail: { kycVerificationType: 'PARTIAL' } },
    });
  });

  it.each<[ClientStatus, KycVerificationType | null]>([
    ['PENDING', null],
    ['ACTIVE', 'PARTIAL'],
  ])('activates only from VERIFIED: refuses %s with allowedStatuses [VERIFIED]', (status, level) => {
    const client = clientIn(status, level);

    const failure = failureOf(decideActivate(client, fullSnapshot(client), policy, now));

    expect(failure).toMatchObject({ kind: 'invalidStatus', clientId: client.id, currentStatus: status, allowedStatuses: ['VERIFIED'] });
  });

  it('re-checks the requirements of the level reached: a passport expired since verification refuses it', () => {
    const client = clientIn('VERIFIED', 'FULL');
    const expired = fullSnapshot(client, { documents: [{ type: 'PASSPORT', status: 'ACCEPTED', expiresOn: new Date('2030-06-14T00:00:00Z') }] });

    const failure = failureOf(decideActivate(client, expired, policy, now));

    expect(failure).toMatchObject({ kind: 'requirementsNotMet', level: 'FULL', missing: [{ code: 'PHYSICAL_ID_DOCUMENT' }] });
  });
});

describe('decideAfterChange', () => {
  it('sends a VERIFIED client that misses a requirement of its level back to PENDING (VERIFICATION_REVOKED)', () => {
    const client = clientIn('VERIFIED', 'PARTIAL');

    const transition = decideAfterChange(client, fullSnapshot(client, { addresses: [{ isPrimary: false }] }), policy, now, []);

    expect(transition).toEqual({
      clientData: { status: 'PENDING', kycVerificationType: null, verifiedAt: null },
      event: {
        type: 'VERIFICATION_REVOKED',
        fromStatus: 'VERIFIED',
        toStatus: 'PENDING',
        detail: { kycVerificationType: 'PARTIAL', missingRequirements: ['PRIMARY_ADDRESS'] },
      },
    });
  });

  it('sends a VERIFIED client back to PENDING after a staff correction of its identity facts, nothing missing', () => {
    const client = clientIn('VERIFIED', 'FULL');

    const transition = decideAfterChange(client, fullSnapshot(client), policy, now, ['lastName']);

    expect(transition?.clientData).toEqual({ status: 'PENDING', kycVerificationType: null, verifiedAt: null });
    expect(transition?.event).toEqual({
      type: 'VERIFICATION_REVOKED',
      fromStatus: 'VERIFIED',
      toStatus: 'PENDING',
      detail: { kycVerificationType: 'FULL', missingRequirements: [], correctedIdentityFacts: ['lastName'] },
    });
  });

  it('keeps an ACTIVE client ACTIVE and flags it (REVERIFICATION_REQUIRED, no status change) when it misses a requirement', () => {
    const client = clientIn('ACTIVE', 'FULL');
    const noPassport = fullSnapshot(client, { documents: [] });

    const transition = decideAfterChange(client, noPassport, policy, now, []);

    expect(transition).toEqual({
      clientData: { reverificationRequired: true },
      event: { type: 'REVERIFICATION_REQUIRED', detail: { kycVerificationType: 'FULL', missingRequirements: ['PHYSICAL_ID_DOCUMENT'] } },
    });
  });

  it('flags an ACTIVE client after a staff correction of its identity facts', () => {
    const client = clientIn('ACTIVE', 'PARTIAL');

    const transition = decideAfterChange(client, fullSnapshot(client), policy, now, ['firstName', 'dateOfBirth']);

    expect(transition).toEqual({
      clientData: { reverificationRequired: true },
      event: {
        type: 'REVERIFICATION_REQUIRED',
        detail: { kycVerificationType: 'PARTIAL', missingRequirements: [], correctedIdentityFacts: ['firstName', 'dateOfBirth'] },
      },
    });
  });

  it('flags an ACTIVE client once: a flagged client is not at stake and a further breaking change does nothing', () => {
    const flagged = clientIn('ACTIVE', 'FULL', { reverificationRequired: true });

    expect(isVerificationAtStake(flagged)).toBe(false);
    expect(decideAfterChange(flagged, fullSnapshot(flagged, { documents: [], addresses: [] }), policy, now, ['lastName'])).toBeUndefined();
  });

  it('does nothing to a VERIFIED or ACTIVE client when nothing is missing and no identity fact changed', () => {
    for (const client of [clientIn('VERIFIED', 'FULL'), clientIn('ACTIVE', 'FULL')]) {
      expect(decideAfterChange(client, fullSnapshot(client), policy, now, [])).toBeUndefined();
    }
  });

  it('does nothing to a PENDING client, whatever it misses', () => {
    const client = clientIn('PENDING', null);

    expect(isVerificationAtStake(client)).toBe(false);
    expect(decideAfterChange(client, fullSnapshot(client, { addresses: [], identifiers: [], documents: [] }), policy, now, ['lastName'])).toBeUndefined();
  });

  it('judges a VERIFIED FULL client by FULL, not PARTIAL: losing only the passport revokes it', () => {
    const client = clientIn('VERIFIED', 'FULL');

    const transition = decideAfterChange(client, fullSnapshot(client, { documents: [] }), policy, now, []);

    expect(transition?.event.detail).toEqual({ kycVerificationType: 'FULL', missingRequirements: ['PHYSICAL_ID_DOCUMENT'] });
  });
});

describe('identity facts after verification', () => {
  it('names the identity facts a change corrected (firstName, lastName, dateOfBirth, by value), and no other field', () => {
    const before = clientIn('VERIFIED', 'PARTIAL');
    const sameDay = { ...before, dateOfBirth: new Date(before.dateOfBirth!.getTime()) };

    expect(correctedIdentityFacts(before, sameDay)).toEqual([]);
    expect(correctedIdentityFacts(before, { ...before, email: 'new@example.com', mobilePhone: null })).toEqual([]);
    expect(correctedIdentityFacts(before, { ...before, lastName: 'Byron', dateOfBirth: null })).toEqual(['lastName', 'dateOfBirth']);
  });

  it.each<ClientStatus>(['VERIFIED', 'ACTIVE'])('refuses a correction of identity facts while %s by anyone but verifying staff, allowing PENDING', (status) => {
    const client = clientIn(status, 'PARTIAL');

    expect(decideIdentityCorrection(client, ['firstName'], false)).toMatchObject({
      kind: 'invalidStatus',
      clientId: client.id,
      currentStatus: status,
      allowedStatuses: ['PENDING'],
    });
    expect(decideIdentityCorrection(client, ['firstName'], true)).toBeUndefined();
  });

  it('lets anyone who may change a PENDING client correct its identity facts', () => {
    expect(decideIdentityCorrection(clientIn('PENDING', null), ['firstName', 'lastName'], false)).toBeUndefined();
  });

  it('has nothing to refuse when no identity fact changed', () => {
    expect(decideIdentityCorrection(clientIn('ACTIVE', 'FULL'), [], false)).toBeUndefined();
  });
});
