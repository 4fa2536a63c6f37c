import { Field, ObjectType } from 'type-graphql';
import { resultUnion } from '../../graphql/mutation-response';
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

export const AddAddressResult = resultUnion('AddAddressResult', AddAddressSuccess, [ValidationError, ClientNotFoundError]);

export const RemoveAddressResult = resultUnion('RemoveAddressResult', ClientPayload, [NotFoundError]);
