import { Field, ObjectType } from 'type-graphql';
import { resultUnion } from '../../graphql/mutation-response';
import { ClientNotFoundError, DuplicateExternalIdError, InvalidClientStatusError, ValidationError } from '../../graphql/user-errors';
import { Client } from './client.types';

/** The success of every mutation whose answer is just the client as it is now. */
@ObjectType()
export class ClientPayload {
  @Field(() => Client)
  client: Client;
}

export const CreateClientResult = resultUnion('CreateClientResult', ClientPayload, [ValidationError, DuplicateExternalIdError]);

export const UpdateClientResult = resultUnion('UpdateClientResult', ClientPayload, [ValidationError, ClientNotFoundError, InvalidClientStatusError]);
