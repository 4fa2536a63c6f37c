import 'reflect-metadata';
import './enums';
import { GraphQLSchema } from 'graphql';
import { buildSchemaSync, getMetadataStorage } from 'type-graphql';
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
  if (!schema) resolvePlainFieldsDirectly();
  schema ??= buildSchemaSync({
    resolvers: [ClientResolver, AddressResolver, IdentifierResolver, DocumentResolver, DocumentReviewEdgeResolver, ContactResolver, VerificationResolver],
    // Error types that are only reachable through unions still need to be in the schema's type map.
    orphanedTypes: [ValidationError, ClientNotFoundError, NotFoundError, InvalidClientStatusError, DuplicateExternalIdError, RateLimitedError],
    validate: false,
    emitSchemaFile: false,
  });
  return schema;
}

/**
 * type-graphql gives every plain field (a property, no @FieldResolver) a resolver of its own that
 * runs the field's middlewares and then reads the property: an allocation and two calls per field
 * of every object in every answer (~3% of a page's CPU). A plain field with no middleware and no
 * @Authorized is marked `simple`, so graphql-js reads the property itself. A field that has either
 * keeps type-graphql's resolver (test/performance/hot-path.test.ts checks both).
 */
function resolvePlainFieldsDirectly(): void {
  const storage = getMetadataStorage();
  const guarded = new Set([...storage.middlewares, ...storage.authorizedFields].map(({ target, fieldName }) => `${target.name}.${fieldName}`));
  for (const field of storage.fields) {
    if (field.simple === undefined && !guarded.has(`${field.target.name}.${field.name}`)) field.simple = true;
  }
}
