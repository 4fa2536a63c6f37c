import { Field, ObjectType } from 'type-graphql';
import { resultUnion } from '../../graphql/mutation-response';
import { ClientNotFoundError, InvalidClientStatusError } from '../../graphql/user-errors';
import { Client } from '../clients/client.types';
import { VerificationRequirementsNotMetError } from './verification.errors';

@ObjectType()
export class VerifyClientSuccess {
  @Field(() => Client)
  client: Client;
}

@ObjectType()
export class ActivateClientSuccess {
  @Field(() => Client)
  client: Client;
}

export const VerifyClientResult = resultUnion('VerifyClientResult', VerifyClientSuccess, [
  VerificationRequirementsNotMetError,
  InvalidClientStatusError,
  ClientNotFoundError,
]);

export const ActivateClientResult = resultUnion('ActivateClientResult', ActivateClientSuccess, [
  VerificationRequirementsNotMetError,
  InvalidClientStatusError,
  ClientNotFoundError,
]);
