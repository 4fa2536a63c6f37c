import { Field, ID, InputType } from 'type-graphql';
import { KycVerificationType } from '../../graphql/enums';

@InputType()
export class VerifyClientInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => KycVerificationType)
  kycVerificationType: KycVerificationType;
}

@InputType()
export class ActivateClientInput {
  @Field(() => ID)
  clientId: string;
}
