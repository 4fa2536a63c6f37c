import { Field, ID, InputType } from 'type-graphql';
import { IdentifierType } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';

@InputType()
export class AddIdentifierInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => IdentifierType)
  type: IdentifierType;

  @Field(() => String, { description: 'Stored encrypted; only its last 4 characters are ever returned.' })
  value: string;

  @Field(() => String, { nullable: true, description: 'Required for PASSPORT, NATIONAL_ID and DRIVERS_LICENSE.' })
  issuingCountry?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Required for PASSPORT; must not be in the past.' })
  expiresOn?: string | null;
}
