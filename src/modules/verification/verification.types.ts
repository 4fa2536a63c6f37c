import { Field, ObjectType } from 'type-graphql';
import { RequirementCodeEnum } from '../../graphql/enums';
import type { RequirementCode } from './requirements';

@ObjectType({ description: 'One KYC requirement the client does not meet yet.' })
export class MissingRequirement {
  @Field(() => RequirementCodeEnum)
  code: RequirementCode;

  @Field(() => String, { description: 'For developers, like a REST developerMessage.' })
  message: string;

  @Field(() => String, { description: 'Stable key for translated UI text, e.g. error.msg.client.verification.primary.address.missing.' })
  userMessageGlobalisationCode: string;

  @Field(() => [String], { description: 'Identifier or document types that would satisfy it; empty if none apply.' })
  acceptedTypes: string[];

  @Field(() => Boolean, { description: 'A document that would satisfy it exists but awaits review.' })
  pendingReview: boolean;
}
