import { Field, ID, ObjectType, createUnionType } from 'type-graphql';
import { KycVerificationType } from '../../graphql/enums';
import { ClientNotFoundError, InvalidClientStatusError, UserError } from '../../graphql/user-errors';
import { Client } from '../clients/client.types';
import { MissingRequirement } from './verification.types';

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
}

export const VerifyClientResult = createUnionType({
  name: 'VerifyClientResult',
  types: () => [VerifyClientSuccess, VerificationRequirementsNotMetError, InvalidClientStatusError, ClientNotFoundError] as const,
});

export const ActivateClientResult = createUnionType({
  name: 'ActivateClientResult',
  types: () => [ActivateClientSuccess, VerificationRequirementsNotMetError, InvalidClientStatusError, ClientNotFoundError] as const,
});
