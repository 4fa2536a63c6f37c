import { Field, ObjectType, createUnionType } from 'type-graphql';
import { ClientNotFoundError, NotFoundError, ValidationError } from '../../graphql/user-errors';
import { ClientPayload } from '../clients/client.results';
import { Client } from '../clients/client.types';
import { Address } from './address.types';

@ObjectType()
export class AddAddressSuccess {
  @Field(() => Client)
  client: Client;

  @Field(() => Address)
  address: Address;
}

export const AddAddressResult = createUnionType({
  name: 'AddAddressResult',
  types: () => [AddAddressSuccess, ValidationError, ClientNotFoundError] as const,
});

export const RemoveAddressResult = createUnionType({
  name: 'RemoveAddressResult',
  types: () => [ClientPayload, NotFoundError] as const,
});
