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
import { REQUIREMENT_CODES, RequirementCode } from '../modules/verification/requirements';

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

export const RequirementCodeEnum = Object.fromEntries(REQUIREMENT_CODES.map((code) => [code, code])) as { [K in RequirementCode]: K };
registerEnumType(RequirementCodeEnum, {
  name: 'RequirementCode',
  description: 'What verification can find missing. See the README for when each applies.',
});

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
