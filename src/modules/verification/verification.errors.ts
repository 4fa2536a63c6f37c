import { Field, ID, ObjectType } from 'type-graphql';
import { KycVerificationType } from '../../graphql/enums';
import { UserError, instance } from '../../graphql/user-errors';
import type { RequirementsNotMet } from './requirements';
import { MissingRequirement } from './verification.types';

@ObjectType({ implements: UserError, description: 'Verification or activation found requirements missing; nothing was changed.' })
export class VerificationRequirementsNotMetError extends UserError {
  @Field(() => String)
  developerMessage: string;

  @Field(() => ID)
  clientId: string;

  @Field(() => KycVerificationType)
  kycVerificationType: KycVerificationType;

  @Field(() => [MissingRequirement], { description: 'Every missing requirement, not just the first.' })
  missingRequirements: MissingRequirement[];

  static readonly kind = 'requirementsNotMet';
  static of({ clientId, level, missing }: RequirementsNotMet): VerificationRequirementsNotMetError {
    const codes = missing.map((requirement) => requirement.code);
    return instance(VerificationRequirementsNotMetError, {
      message: `The client does not meet the ${level} verification requirements.`,
      userMessageGlobalisationCode: 'error.msg.client.verification.requirements.not.met',
      developerMessage: `Client ${clientId} is missing ${codes.length} requirement(s) for ${level} verification: ${codes.join(', ')}.`,
      clientId,
      kycVerificationType: level,
      missingRequirements: missing.map((requirement) => instance(MissingRequirement, requirement)),
    });
  }
}
