import { Field, ID, ObjectType } from 'type-graphql';
import { AddressType } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';

@ObjectType()
export class Address {
  @Field(() => ID)
  id: string;

  @Field(() => AddressType)
  type: AddressType;

  @Field(() => Boolean)
  isPrimary: boolean;

  @Field(() => String)
  line1: string;

  @Field(() => String, { nullable: true })
  line2: string | null;

  @Field(() => String)
  city: string;

  @Field(() => String, { nullable: true })
  region: string | null;

  @Field(() => String)
  postalCode: string;

  @Field(() => String, { description: 'ISO 3166-1 alpha-2.' })
  countryCode: string;

  @Field(() => DateTimeScalar)
  createdAt: Date;
}
