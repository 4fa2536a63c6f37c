import { Field, ObjectType } from 'type-graphql';
import { resultUnion } from '../../graphql/mutation-response';
import { ClientNotFoundError, NotFoundError, RateLimitedError, ValidationError } from '../../graphql/user-errors';
import { ClientPayload } from '../clients/client.results';
import { Client } from '../clients/client.types';
import { DuplicateIdentifierError } from './identifier.errors';
import { Identifier } from './identifier.types';

@ObjectType()
export class AddIdentifierSuccess {
  @Field(() => Client)
  client: Client;

  @Field(() => Identifier)
  identifier: Identifier;
}

export const AddIdentifierResult = resultUnion('AddIdentifierResult', AddIdentifierSuccess, [
  ValidationError,
  ClientNotFoundError,
  DuplicateIdentifierError,
  RateLimitedError,
]);

export const DeactivateIdentifierResult = resultUnion('DeactivateIdentifierResult', ClientPayload, [NotFoundError]);
