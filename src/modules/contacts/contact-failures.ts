import type { ContactChannel } from '../../generated/prisma/enums';

/** Why a contact code was not accepted (kept apart from the service: the GraphQL enum is built from it). */
export const CONTACT_VERIFICATION_FAILURES = ['INVALID_CODE', 'EXPIRED', 'TOO_MANY_ATTEMPTS', 'NO_PENDING_CHALLENGE'] as const;
export type ContactVerificationFailure = (typeof CONTACT_VERIFICATION_FAILURES)[number];

/** The code was not accepted; a wrong code counts against the challenge (attemptsRemaining). */
export interface ContactVerificationFailed {
  kind: 'contactVerificationFailed';
  channel: ContactChannel;
  reason: ContactVerificationFailure;
  attemptsRemaining: number;
}
