import { Field, Int, ObjectType } from 'type-graphql';
import { ContactVerificationFailureReasonEnum } from '../../graphql/enums';
import { UserError, instance } from '../../graphql/user-errors';
import type { ContactVerificationFailed, ContactVerificationFailure } from './contact-failures';

const MESSAGES: Record<ContactVerificationFailure, string> = {
  INVALID_CODE: 'The code is not the one that was sent.',
  EXPIRED: 'The code has expired; request a new one.',
  TOO_MANY_ATTEMPTS: 'Too many wrong codes; request a new one.',
  NO_PENDING_CHALLENGE: 'No code is waiting for confirmation on this channel; request one first.',
};

@ObjectType({ implements: UserError })
export class ContactVerificationFailedError extends UserError {
  @Field(() => ContactVerificationFailureReasonEnum)
  reason: ContactVerificationFailure;

  @Field(() => Int, { description: 'Wrong codes still accepted before the challenge is spent.' })
  attemptsRemaining: number;

  static readonly kind = 'contactVerificationFailed';
  static of({ reason, attemptsRemaining }: ContactVerificationFailed): ContactVerificationFailedError {
    return instance(ContactVerificationFailedError, {
      message: MESSAGES[reason],
      // INVALID_CODE -> error.msg.client.contact.verification.invalid.code
      userMessageGlobalisationCode: `error.msg.client.contact.verification.${reason.toLowerCase().replace(/_/g, '.')}`,
      reason,
      attemptsRemaining,
    });
  }
}
