import { Field, ObjectType } from 'type-graphql';
import { IdentifierType } from '../../graphql/enums';
import { UserError, instance } from '../../graphql/user-errors';
import type { DuplicateIdentifier } from './identifier.service';

@ObjectType({ implements: UserError, description: 'An ACTIVE identifier with the same type, issuing country and value exists (on this or another client).' })
export class DuplicateIdentifierError extends UserError {
  @Field(() => IdentifierType)
  identifierType: IdentifierType;

  static readonly kind = 'duplicateIdentifier';
  static of({ identifierType }: DuplicateIdentifier): DuplicateIdentifierError {
    return instance(DuplicateIdentifierError, {
      message: `An active ${identifierType} with this value already exists.`,
      userMessageGlobalisationCode: 'error.msg.client.identifier.duplicate',
      identifierType,
    });
  }
}
