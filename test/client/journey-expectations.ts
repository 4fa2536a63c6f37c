import type { JourneyReport } from './journey';

const EXPECTED_STEPS = [
  ['createClient', 'ClientPayload', 'PENDING', 1],
  ['addAddress', 'AddAddressSuccess', 'PENDING', 2],
  ['addIdentifier', 'AddIdentifierSuccess', 'PENDING', 3],
  ['requestContactVerification EMAIL', 'ContactVerificationRequested', 'PENDING', 4],
  ['confirmContactVerification EMAIL', 'ClientPayload', 'PENDING', 5],
  ['requestContactVerification MOBILE_PHONE', 'ContactVerificationRequested', 'PENDING', 6],
  ['confirmContactVerification MOBILE_PHONE', 'ClientPayload', 'PENDING', 7],
  ['verifyClient', 'VerifyClientSuccess', 'VERIFIED', 8],
  ['activateClient', 'ActivateClientSuccess', 'ACTIVE', 9],
  ['client', 'Client', 'ACTIVE', 9],
].map(([operation, outcome, status, version]) => ({ operation, outcome, status, version }));

/**
 * The history of a client taken through the onboarding journey, in order: PARTIAL requirements, or
 * FULL ones (`full`: a passport document added and accepted) before it is verified and activated.
 */
export function journeyHistory({ full = false } = {}): string[] {
  return [
    'CLIENT_CREATED',
    'ADDRESS_ADDED',
    'IDENTIFIER_ADDED',
    'CONTACT_VERIFICATION_REQUESTED',
    'EMAIL_VERIFIED',
    'CONTACT_VERIFICATION_REQUESTED',
    'MOBILE_PHONE_VERIFIED',
    ...(full ? ['DOCUMENT_ADDED', 'DOCUMENT_ACCEPTED'] : []),
    'CLIENT_VERIFIED',
    'CLIENT_ACTIVATED',
  ];
}

/** What every run of the journey must have seen, however the operations travelled. */
export function expectCompleteJourney(report: JourneyReport): void {
  expect(report.steps).toEqual(EXPECTED_STEPS);
  expect(report.client).toMatchObject({
    id: report.clientId,
    status: 'ACTIVE',
    kycVerificationType: 'PARTIAL',
    emailVerified: true,
    mobilePhoneVerified: true,
    reverificationRequired: false,
    version: 9,
  });
  expect(report.history.map((event) => event.type)).toEqual(journeyHistory());
  // detail is a JSONObject: it arrives parsed, as an object, never as a JSON string.
  for (const event of report.history) {
    expect(event.detail === null || (typeof event.detail === 'object' && !Array.isArray(event.detail))).toBe(true);
  }
  expect(report.history.find((event) => event.type === 'CLIENT_ACTIVATED')?.detail).toEqual({ kycVerificationType: 'PARTIAL' });
  expect(report.history.filter((event) => event.detail !== null).length).toBeGreaterThan(0);
  expect(report.history[0]).toMatchObject({ type: 'CLIENT_CREATED', text: 'Client created' });
  expect(report.documentsAwaitingReview).toBe(0);
}
