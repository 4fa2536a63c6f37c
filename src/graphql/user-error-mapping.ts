import type { Failure } from '../shared/result';
import { ContactVerificationFailedError } from '../modules/contacts/contact.results';
import { DuplicateIdentifierError } from '../modules/identifiers/identifier.results';
import { VerificationRequirementsNotMetError } from '../modules/verification/verification.results';
import { MissingRequirement } from '../modules/verification/verification.types';
import {
  ClientNotFoundError,
  DuplicateExternalIdError,
  InvalidClientStatusError,
  NotFoundError,
  RateLimitedError,
  UserError,
  ValidationError,
} from './user-errors';

/** The one path from a domain failure to the union member a client sees. */
export function toUserError(failure: Failure): UserError {
  switch (failure.kind) {
    case 'validation':
      return ValidationError.of(failure.fieldErrors);
    case 'clientNotFound':
      return ClientNotFoundError.of(failure.clientId);
    case 'notFound':
      return NotFoundError.of(failure.what, failure.id);
    case 'invalidStatus':
      return InvalidClientStatusError.of(failure.clientId, failure.currentStatus, failure.allowedStatuses, failure.message);
    case 'duplicateExternalId':
      return DuplicateExternalIdError.of(failure.externalId);
    case 'duplicateIdentifier':
      return Object.assign(new DuplicateIdentifierError(), {
        message: `An active ${failure.identifierType} with this value already exists.`,
        userMessageGlobalisationCode: 'error.msg.client.identifier.duplicate',
        identifierType: failure.identifierType,
      });
    case 'requirementsNotMet': {
      const codes = failure.missing.map((requirement) => requirement.code);
      return Object.assign(new VerificationRequirementsNotMetError(), {
        message: `The client does not meet the ${failure.level} verification requirements.`,
        userMessageGlobalisationCode: 'error.msg.client.verification.requirements.not.met',
        developerMessage: `Client ${failure.clientId} is missing ${codes.length} requirement(s) for ${failure.level} verification: ${codes.join(', ')}.`,
        clientId: failure.clientId,
        kycVerificationType: failure.level,
        missingRequirements: failure.missing.map((requirement) => Object.assign(new MissingRequirement(), requirement)),
      });
    }
    case 'contactVerificationFailed':
      return Object.assign(new ContactVerificationFailedError(), {
        message: CONTACT_FAILURE_MESSAGES[failure.reason],
        userMessageGlobalisationCode: `error.msg.client.contact.verification.${failure.reason.toLowerCase().replace(/_/g, '.')}`,
        reason: failure.reason,
        attemptsRemaining: failure.attemptsRemaining,
      });
    case 'rateLimited':
      return RateLimitedError.of(failure.retryAfterSeconds, failure.message);
    default:
      return unreachable(failure);
  }
}

const CONTACT_FAILURE_MESSAGES = {
  INVALID_CODE: 'The code is not the one that was sent.',
  EXPIRED: 'The code has expired; request a new one.',
  TOO_MANY_ATTEMPTS: 'Too many wrong codes; request a new one.',
  NO_PENDING_CHALLENGE: 'No code is waiting for confirmation on this channel; request one first.',
} as const;

function unreachable(value: never): never {
  throw new Error(`unmapped failure ${JSON.stringify(value)}`);
}
