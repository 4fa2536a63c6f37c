import { Field, Int, ObjectType, createUnionType } from 'type-graphql';
import { ContactChannel, ContactVerificationFailureReasonEnum } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';
import { ClientNotFoundError, RateLimitedError, UserError, ValidationError } from '../../graphql/user-errors';
import type { ContactVerificationFailure } from '../../shared/result';
import { ClientPayload } from '../clients/client.results';
import { Client } from '../clients/client.types';

@ObjectType({ description: 'A code was sent; it works once, for 10 minutes, with at most 5 wrong tries.' })
export class ContactVerificationRequested {
  @Field(() => Client)
  client: Client;

  @Field(() => ContactChannel)
  channel: ContactChannel;

  @Field(() => DateTimeScalar)
  expiresAt: Date;
}

@ObjectType({ implements: UserError })
export class ContactVerificationFailedError extends UserError {
  @Field(() => ContactVerificationFailureReasonEnum)
  reason: ContactVerificationFailure;

  @Field(() => Int, { description: 'Wrong codes still accepted before the challenge is spent.' })
  attemptsRemaining: number;
}

export const RequestContactVerificationResult = createUnionType({
  name: 'RequestContactVerificationResult',
  types: () => [ContactVerificationRequested, ValidationError, ClientNotFoundError, RateLimitedError] as const,
});

export const ConfirmContactVerificationResult = createUnionType({
  name: 'ConfirmContactVerificationResult',
  types: () => [ClientPayload, ContactVerificationFailedError, ClientNotFoundError, RateLimitedError] as const,
});
