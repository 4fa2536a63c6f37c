/**
 * The error members of the result unions. Expected failures are data, not GraphQL errors:
 * each carries a developer message and a stable globalisation code for translated UI text.
 *
 * Each member answers one domain failure: `kind` names it and `of(failure)` builds the member, so
 * an operation's union can be declared from its list of members (`graphql/mutation-response.ts`).
 * The members every module shares are here; a module's own live in its `*.errors.ts`.
 */
import { Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { ClientStatus } from '../generated/prisma/enums';
import type { ClientNotFound, DuplicateExternalId, InvalidStatus, NotFound, RateLimited, ValidationFailure } from '../shared/result';
import type { FieldErrorCode } from '../shared/validation';
import { FieldErrorCodeEnum } from './enums';

/**
 * An instance of an object type, with every field given. Union members must be instances of their
 * class: that is how type-graphql tells which member a value is.
 */
export function instance<T extends object>(Type: new () => T, fields: T): T {
  return Object.assign(new Type(), fields);
}

@InterfaceType({ description: 'Every error member of a result union implements this.' })
export abstract class UserError {
  @Field(() => String, { description: 'For developers; not meant to be shown to end users as is.' })
  message: string;

  @Field(() => String, { description: 'Stable key for translated UI text, e.g. error.msg.client.not.found.' })
  userMessageGlobalisationCode: string;
}

@ObjectType({ description: 'One problem with one input field.' })
export class FieldError {
  @Field(() => [String], { description: 'Input path, e.g. ["input", "countryCode"].' })
  path: string[];

  @Field(() => String)
  message: string;

  @Field(() => FieldErrorCodeEnum)
  code: FieldErrorCode;
}

@ObjectType({ implements: UserError, description: 'The input breaks one or more rules; every problem is listed.' })
export class ValidationError extends UserError {
  @Field(() => [FieldError])
  fieldErrors: FieldError[];

  static readonly kind = 'validation';
  static of({ fieldErrors }: ValidationFailure): ValidationError {
    return instance(ValidationError, {
      message: fieldErrors.length === 1 ? fieldErrors[0].message : `The input has ${fieldErrors.length} problems.`,
      userMessageGlobalisationCode: 'error.msg.client.validation.failed',
      fieldErrors,
    });
  }
}

@ObjectType({ implements: UserError })
export class ClientNotFoundError extends UserError {
  @Field(() => ID)
  clientId: string;

  static readonly kind = 'clientNotFound';
  static of({ clientId }: ClientNotFound): ClientNotFoundError {
    return instance(ClientNotFoundError, {
      message: `No client with id ${clientId}.`,
      userMessageGlobalisationCode: 'error.msg.client.not.found',
      clientId,
    });
  }
}

@ObjectType({ implements: UserError, description: 'An address, identifier or document id that does not exist.' })
export class NotFoundError extends UserError {
  @Field(() => ID)
  id: string;

  static readonly kind = 'notFound';
  static of({ what, id }: NotFound): NotFoundError {
    return instance(NotFoundError, {
      message: `No ${what} with id ${id}.`,
      userMessageGlobalisationCode: `error.msg.client.${what}.not.found`,
      id,
    });
  }
}

@ObjectType({ implements: UserError })
export class InvalidClientStatusError extends UserError {
  @Field(() => ID)
  clientId: string;

  @Field(() => ClientStatus)
  currentStatus: ClientStatus;

  @Field(() => [ClientStatus])
  allowedStatuses: ClientStatus[];

  static readonly kind = 'invalidStatus';
  static of({ clientId, currentStatus, allowedStatuses, message }: InvalidStatus): InvalidClientStatusError {
    return instance(InvalidClientStatusError, {
      message,
      userMessageGlobalisationCode: 'error.msg.client.status.invalid',
      clientId,
      currentStatus,
      allowedStatuses,
    });
  }
}

@ObjectType({ implements: UserError })
export class DuplicateExternalIdError extends UserError {
  @Field(() => String)
  externalId: string;

  static readonly kind = 'duplicateExternalId';
  static of({ externalId }: DuplicateExternalId): DuplicateExternalIdError {
    return instance(DuplicateExternalIdError, {
      message: `Another client already has externalId ${externalId}.`,
      userMessageGlobalisationCode: 'error.msg.client.external.id.duplicate',
      externalId,
    });
  }
}

@ObjectType({ implements: UserError, description: 'Too many attempts of this kind; nothing was done. Try again after retryAfterSeconds.' })
export class RateLimitedError extends UserError {
  @Field(() => Int)
  retryAfterSeconds: number;

  static readonly kind = 'rateLimited';
  static of({ retryAfterSeconds, message }: RateLimited): RateLimitedError {
    return instance(RateLimitedError, {
      message,
      userMessageGlobalisationCode: 'error.msg.client.rate.limited',
      retryAfterSeconds,
    });
  }
}
