import { registerEnumType } from 'type-graphql';
import {
  AddressType,
  ClientStatus,
  ContactChannel,
  DocumentStatus,
  DocumentType,
  IdentifierStatus,
  IdentifierType,
  KycVerificationType,
} from '../generated/prisma/enums';
import { CLIENT_EVENT_TYPES, ClientEventType } from '../modules/history/history';
import { REQUIREMENT_CODES, RequirementCode } from '../modules/verification/requirements';
import { CONTACT_VERIFICATION_FAILURES, ContactVerificationFailure } from '../modules/contacts/contact-failures';
import { FIELD_ERROR_CODES, FieldErrorCode } from '../shared/validation';

/** A GraphQL enum object ({ A: 'A', ... }) from a list of string codes kept beside their rules. */
function enumOf<const T extends string>(codes: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(codes.map((code) => [code, code])) as { [K in T]: K };
}

/** The GraphQL enums are the database's enums (one vocabulary from storage to API). */
registerEnumType(ClientStatus, { name: 'ClientStatus' });
registerEnumType(KycVerificationType, { name: 'KycVerificationType' });
registerEnumType(AddressType, { name: 'AddressType' });
registerEnumType(IdentifierType, { name: 'IdentifierType' });
registerEnumType(IdentifierStatus, { name: 'IdentifierStatus' });
registerEnumType(DocumentType, { name: 'DocumentType' });
registerEnumType(DocumentStatus, { name: 'DocumentStatus' });
registerEnumType(ContactChannel, { name: 'ContactChannel' });

export const DocumentDecision = { ACCEPT: 'ACCEPT', REJECT: 'REJECT' } as const;
export type DocumentDecision = (typeof DocumentDecision)[keyof typeof DocumentDecision];
registerEnumType(DocumentDecision, { name: 'DocumentDecision' });

export const RequirementCodeEnum: { [K in RequirementCode]: K } = enumOf(REQUIREMENT_CODES);
registerEnumType(RequirementCodeEnum, {
  name: 'RequirementCode',
  description: 'What verification can find missing. See the README for when each applies.',
});

export const FieldErrorCodeEnum: { [K in FieldErrorCode]: K } = enumOf(FIELD_ERROR_CODES);
registerEnumType(FieldErrorCodeEnum, { name: 'FieldErrorCode', description: 'Why one input value was refused (FieldError.code).' });

export const ContactVerificationFailureReasonEnum: { [K in ContactVerificationFailure]: K } = enumOf(CONTACT_VERIFICATION_FAILURES);
registerEnumType(ContactVerificationFailureReasonEnum, { name: 'ContactVerificationFailureReason' });

export const ClientEventTypeEnum: { [K in ClientEventType]: K } = enumOf(CLIENT_EVENT_TYPES);
registerEnumType(ClientEventTypeEnum, { name: 'ClientEventType', description: 'Every entry of a client\'s history has one of these types.' });

export {
  AddressType,
  ClientStatus,
  ContactChannel,
  DocumentStatus,
  DocumentType,
  IdentifierStatus,
  IdentifierType,
  KycVerificationType,
};
