/**
 * The error members of the result unions. Expected failures are data, not GraphQL errors:
 * each carries a developer message and a stable globalisation code for translated UI text.
 */
import { Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { ClientStatus } from '../generated/prisma/enums';
import type { FieldErrorCode, FieldError as FieldErrorRecord } from '../shared/validation';
import { FieldErrorCodeEnum } from './enums';

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

  static of(fieldErrors: FieldErrorRecord[]): ValidationError {
    return Object.assign(new ValidationError(), {
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

  static of(clientId: string): ClientNotFoundError {
    return Object.assign(new ClientNotFoundError(), {
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

  static of(what: 'address' | 'identifier' | 'document', id: string): NotFoundError {
    return Object.assign(new NotFoundError(), {
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

  static of(clientId: string, currentStatus: ClientStatus, allowedStatuses: ClientStatus[], message: string): InvalidClientStatusError {
    return Object.assign(new InvalidClientStatusError(), {
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

  static of(externalId: string): DuplicateExternalIdError {
    return Object.assign(new DuplicateExternalIdError(), {
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

  static of(retryAfterSeconds: number, message: string): RateLimitedError {
    return Object.assign(new RateLimitedError(), {
      message,
      userMessageGlobalisationCode: 'error.msg.client.rate.limited',
      retryAfterSeconds,
    });
  }
}
