import { Field, ObjectType, createUnionType } from 'type-graphql';
import { IdentifierType } from '../../graphql/enums';
import { ClientNotFoundError, NotFoundError, RateLimitedError, UserError, ValidationError } from '../../graphql/user-errors';
import { ClientPayload } from '../clients/client.results';
import { Client } from '../clients/client.types';
import { Identifier } from './identifier.types';

@ObjectType()
export class AddIdentifierSuccess {
  @Field(() => Client)
  client: Client;

  @Field(() => Identifier)
  identifier: Identifier;
}

@ObjectType({ implements: UserError, description: 'An ACTIVE identifier with the same type, issuing country and value exists (on this or another client).' })
export class DuplicateIdentifierError extends UserError {
  @Field(() => IdentifierType)
  identifierType: IdentifierType;
}

export const AddIdentifierResult = createUnionType({
  name: 'AddIdentifierResult',
  types: () => [AddIdentifierSuccess, ValidationError, ClientNotFoundError, DuplicateIdentifierError, RateLimitedError] as const,
});

export const DeactivateIdentifierResult = createUnionType({
  name: 'DeactivateIdentifierResult',
  types: () => [ClientPayload, NotFoundError] as const,
});
