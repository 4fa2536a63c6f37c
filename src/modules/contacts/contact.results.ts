import { Field, ObjectType } from 'type-graphql';
import { ContactChannel } from '../../graphql/enums';
import { resultUnion } from '../../graphql/mutation-response';
import { DateTimeScalar } from '../../graphql/scalars';
import { ClientNotFoundError, RateLimitedError, ValidationError } from '../../graphql/user-errors';
import { ClientPayload } from '../clients/client.results';
import { Client } from '../clients/client.types';
import { ContactVerificationFailedError } from './contact.errors';

@ObjectType({ description: 'A code was sent; it works once, for 10 minutes, with at most 5 wrong tries.' })
export class ContactVerificationRequested {
  @Field(() => Client)
  client: Client;

  @Field(() => ContactChannel)
  channel: ContactChannel;

  @Field(() => DateTimeScalar)
  expiresAt: Date;
}

export const RequestContactVerificationResult = resultUnion('RequestContactVerificationResult', ContactVerificationRequested, [
  ValidationError,
  ClientNotFoundError,
  RateLimitedError,
]);

export const ConfirmContactVerificationResult = resultUnion('ConfirmContactVerificationResult', ClientPayload, [
  ContactVerificationFailedError,
  ClientNotFoundError,
  RateLimitedError,
]);
