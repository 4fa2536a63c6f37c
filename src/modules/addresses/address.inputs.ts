import { Field, ID, InputType } from 'type-graphql';
import { AddressType } from '../../graphql/enums';

@InputType()
export class AddAddressInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => AddressType)
  type: AddressType;

  @Field(() => Boolean, { description: 'A new primary address demotes the previous one.' })
  isPrimary: boolean;

  @Field(() => String)
  line1: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field(() => String)
  city: string;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String)
  postalCode: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2, e.g. US.' })
  countryCode: string;
}
