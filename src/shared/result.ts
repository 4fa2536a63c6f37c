import type { ClientStatus, ContactChannel, IdentifierType, KycVerificationType } from '../generated/prisma/enums';
import type { MissingRequirement } from '../modules/verification/requirements';
import type { FieldError } from './validation';

/** Expected failures of domain operations. The GraphQL layer maps each kind to one union member. */
export type Failure =
  | { kind: 'validation'; fieldErrors: FieldError[] }
  | { kind: 'clientNotFound'; clientId: string }
  | { kind: 'notFound'; what: 'address' | 'identifier' | 'document'; id: string }
  | { kind: 'invalidStatus'; clientId: string; currentStatus: ClientStatus; allowedStatuses: ClientStatus[]; message: string }
  | { kind: 'requirementsNotMet'; clientId: string; level: KycVerificationType; missing: MissingRequirement[] }
  | { kind: 'duplicateIdentifier'; identifierType: IdentifierType }
  | { kind: 'duplicateExternalId'; externalId: string }
  | { kind: 'contactVerificationFailed'; channel: ContactChannel; reason: ContactVerificationFailure; attemptsRemaining: number }
  | { kind: 'rateLimited'; retryAfterSeconds: number; message: string };

export const CONTACT_VERIFICATION_FAILURES = ['INVALID_CODE', 'EXPIRED', 'TOO_MANY_ATTEMPTS', 'NO_PENDING_CHALLENGE'] as const;
export type ContactVerificationFailure = (typeof CONTACT_VERIFICATION_FAILURES)[number];

export type Result<T> = { ok: true; value: T } | { ok: false; failure: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(failure: Failure): Result<T> => ({ ok: false, failure });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a record (and must never reach PostgreSQL's uuid cast). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
