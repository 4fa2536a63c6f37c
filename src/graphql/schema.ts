import 'reflect-metadata';
import './enums';
import { GraphQLSchema } from 'graphql';
import { buildSchemaSync } from 'type-graphql';
// Clients first: type-graphql lists types and fields in the order their modules load, and
// schema.graphql has the client's operations first.
import { ClientResolver } from '../modules/clients/client.resolver';
import { AddressResolver } from '../modules/addresses/address.resolver';
import { ContactResolver } from '../modules/contacts/contact.resolver';
import { DocumentResolver, DocumentReviewEdgeResolver } from '../modules/documents/document.resolver';
import { IdentifierResolver } from '../modules/identifiers/identifier.resolver';
import { VerificationResolver } from '../modules/verification/verification.resolver';
import {
  ClientNotFoundError,
  DuplicateExternalIdError,
  InvalidClientStatusError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from './user-errors';

let schema: GraphQLSchema | undefined;

/** The executable schema, built once per process (type-graphql's metadata is global). */
export function onboardingSchema(): GraphQLSchema {
  schema ??= buildSchemaSync({
    resolvers: [ClientResolver, AddressResolver, IdentifierResolver, DocumentResolver, DocumentReviewEdgeResolver, ContactResolver, VerificationResolver],
    // Error types that are only reachable through unions still need to be in the schema's type map.
    orphanedTypes: [ValidationError, ClientNotFoundError, NotFoundError, InvalidClientStatusError, DuplicateExternalIdError, RateLimitedError],
    validate: false,
    emitSchemaFile: false,
  });
  return schema;
}
