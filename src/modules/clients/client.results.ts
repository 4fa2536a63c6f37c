import { Field, ObjectType, createUnionType } from 'type-graphql';
import { ClientNotFoundError, DuplicateExternalIdError, InvalidClientStatusError, ValidationError } from '../../graphql/user-errors';
import { Client } from './client.types';

@ObjectType()
export class ClientPayload {
  @Field(() => Client)
  client: Client;
}

export const CreateClientResult = createUnionType({
  name: 'CreateClientResult',
  types: () => [ClientPayload, ValidationError, DuplicateExternalIdError] as const,
});

export const UpdateClientResult = createUnionType({
  name: 'UpdateClientResult',
  types: () => [ClientPayload, ValidationError, ClientNotFoundError, InvalidClientStatusError] as const,
});
