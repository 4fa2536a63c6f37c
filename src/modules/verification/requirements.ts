/**
 * The KYC verification rules, as one pure function: a client snapshot and a policy in, the list
 * of missing requirements out. verifyClient, activateClient, the revoke-on-change rule and
 * Client.missingRequirements all call missingRequirementsFor; nothing else decides what is missing.
 */
import type { DocumentStatus, DocumentType, IdentifierStatus, IdentifierType, KycVerificationType } from '../../generated/prisma/enums';

export const REQUIREMENT_CODES = [
  'PRIMARY_ADDRESS',
  'IDENTITY_DOCUMENT',
  'TAX_IDENTIFIER',
  'PHYSICAL_ID_DOCUMENT',
  'PROOF_OF_ADDRESS',
  'EMAIL_ADDRESS',
  'EMAIL_VERIFICATION',
  'MOBILE_PHONE',
  'MOBILE_PHONE_VERIFICATION',
] as const;
export type RequirementCode = (typeof REQUIREMENT_CODES)[number];

/** Which requirement codes each verification level needs. Products differ, so this is configuration (requirement-policy.ts). */
export type RequirementPolicy = Readonly<Record<KycVerificationType, readonly RequirementCode[]>>;

export interface ClientSnapshot {
  email: string | null;
  emailVerified: boolean;
  mobilePhone: string | null;
  mobilePhoneVerified: boolean;
  addresses: ReadonlyArray<{ isPrimary: boolean }>;
  identifiers: ReadonlyArray<{ type: IdentifierType; status: IdentifierStatus; expiresOn: Date | null }>;
  documents: ReadonlyArray<{ type: DocumentType; status: DocumentStatus; expiresOn: Date | null }>;
}

export interface MissingRequirement {
  code: RequirementCode;
  message: string;
  userMessageGlobalisationCode: string;
  acceptedTypes: string[];
  pendingReview: boolean;
}

/** verifyClient or activateClient found requirements of the level missing; nothing was changed. */
export interface RequirementsNotMet {
  kind: 'requirementsNotMet';
  clientId: string;
  level: KycVerificationType;
  missing: MissingRequirement[];
}
export const requirementsNotMet = (clientId: string, level: KycVerificationType, missing: MissingRequirement[]): RequirementsNotMet => ({
  kind: 'requirementsNotMet',
  clientId,
  level,
  missing,
});

const ALL_IDENTIFIER_TYPES: IdentifierType[] = ['SSN', 'ITIN', 'PASSPORT', 'NATIONAL_ID', 'DRIVERS_LICENSE'];
const TAX_IDENTIFIER_TYPES: IdentifierType[] = ['SSN', 'ITIN'];
const PHYSICAL_ID_DOCUMENT_TYPES: DocumentType[] = ['PASSPORT', 'DRIVERS_LICENSE', 'NATIONAL_ID_CARD'];
const PROOF_OF_ADDRESS_TYPES: DocumentType[] = ['PROOF_OF_ADDRESS'];

/** "Today" is the UTC calendar date; a date-only expiry is still valid on its own day. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;
let knownDay = { from: 0, until: 0, day: '' };

/** isoDay(now), worked out once a UTC day: every identifier and document of a page asks. */
function todayOf(now: Date): string {
  const ms = now.getTime();
  if (ms < knownDay.from || ms >= knownDay.until) {
    const from = ms - (ms % DAY_MS);
    knownDay = { from, until: from + DAY_MS, day: isoDay(now) };
  }
  return knownDay.day;
}

function notExpired(expiresOn: Date | null, today: string): boolean {
  return expiresOn === null || isoDay(expiresOn) >= today;
}

export function isIdentifierValid(identifier: ClientSnapshot['identifiers'][number], now: Date): boolean {
  return identifier.status === 'ACTIVE' && notExpired(identifier.expiresOn, todayOf(now));
}

export function isDocumentValid(document: ClientSnapshot['documents'][number], now: Date): boolean {
  return document.status === 'ACCEPTED' && notExpired(document.expiresOn, todayOf(now));
}

interface RequirementRule {
  message: string;
  acceptedTypes: readonly string[];
  /** undefined: the requirement does not apply to this client (EMAIL_VERIFICATION without an email). */
  isSatisfied(client: ClientSnapshot, now: Date): boolean | undefined;
  isPendingReview?(client: ClientSnapshot, now: Date): boolean;
}

const hasValidIdentifier = (types: readonly IdentifierType[]) => (client: ClientSnapshot, now: Date) =>
  client.identifiers.some((identifier) => types.includes(identifier.type) && isIdentifierValid(identifier, now));

const hasValidDocument = (types: readonly DocumentType[]) => (client: ClientSnapshot, now: Date) =>
  client.documents.some((document) => types.includes(document.type) && isDocumentValid(document, now));

const hasDocumentAwaitingReview = (types: readonly DocumentType[]) => (client: ClientSnapshot, now: Date) =>
  client.documents.some(
    (document) =>
      types.includes(document.type) && document.status === 'PENDING_REVIEW' && notExpired(document.expiresOn, todayOf(now)),
  );

const RULES: Record<RequirementCode, RequirementRule> = {
  PRIMARY_ADDRESS: {
    message: 'The client needs a primary address.',
    acceptedTypes: [],
    isSatisfied: (client) => client.addresses.some((address) => address.isPrimary),
  },
  IDENTITY_DOCUMENT: {
    message: 'The client needs at least one valid (active, unexpired) identifier of any type.',
    acceptedTypes: ALL_IDENTIFIER_TYPES,
    isSatisfied: hasValidIdentifier(ALL_IDENTIFIER_TYPES),
  },
  TAX_IDENTIFIER: {
    message: 'The client needs a valid tax identifier (SSN or ITIN).',
    acceptedTypes: TAX_IDENTIFIER_TYPES,
    isSatisfied: hasValidIdentifier(TAX_IDENTIFIER_TYPES),
  },
  PHYSICAL_ID_DOCUMENT: {
    message: 'The client needs an accepted, unexpired passport, driver\'s licence or national ID card document.',
    acceptedTypes: PHYSICAL_ID_DOCUMENT_TYPES,
    isSatisfied: hasValidDocument(PHYSICAL_ID_DOCUMENT_TYPES),
    isPendingReview: hasDocumentAwaitingReview(PHYSICAL_ID_DOCUMENT_TYPES),
  },
  PROOF_OF_ADDRESS: {
    message: 'The client needs an accepted, unexpired proof-of-address document.',
    acceptedTypes: PROOF_OF_ADDRESS_TYPES,
    isSatisfied: hasValidDocument(PROOF_OF_ADDRESS_TYPES),
    isPendingReview: hasDocumentAwaitingReview(PROOF_OF_ADDRESS_TYPES),
  },
  EMAIL_ADDRESS: {
    message: 'The client needs an email address.',
    acceptedTypes: [],
    isSatisfied: (client) => client.email !== null,
  },
  EMAIL_VERIFICATION: {
    message: 'The client\'s email address has not been confirmed (requestContactVerification, then confirmContactVerification).',
    acceptedTypes: [],
    isSatisfied: (client) => (client.email === null ? undefined : client.emailVerified),
  },
  MOBILE_PHONE: {
    message: 'The client needs a mobile phone number.',
    acceptedTypes: [],
    isSatisfied: (client) => client.mobilePhone !== null,
  },
  MOBILE_PHONE_VERIFICATION: {
    message: 'The client\'s mobile phone number has not been confirmed (requestContactVerification, then confirmContactVerification).',
    acceptedTypes: [],
    isSatisfied: (client) => (client.mobilePhone === null ? undefined : client.mobilePhoneVerified),
  },
};

/** Stable key for translated UI text, e.g. error.msg.client.verification.primary.address.missing. */
export function requirementGlobalisationCode(code: RequirementCode): string {
  return `error.msg.client.verification.${code.toLowerCase().replace(/_/g, '.')}.missing`;
}

/** Every requirement of `level` under `policy` that `client` does not meet at `now`, in the table's order. */
export function missingRequirementsFor(
  client: ClientSnapshot,
  level: KycVerificationType,
  policy: RequirementPolicy,
  now: Date,
): MissingRequirement[] {
  return policy[level]
    .filter((code) => RULES[code].isSatisfied(client, now) === false)
    .map((code) => ({
      code,
      message: RULES[code].message,
      userMessageGlobalisationCode: requirementGlobalisationCode(code),
      acceptedTypes: [...RULES[code].acceptedTypes],
      pendingReview: RULES[code].isPendingReview?.(client, now) ?? false,
    }));
}
