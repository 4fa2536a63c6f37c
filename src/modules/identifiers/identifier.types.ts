import { Field, ID, ObjectType } from 'type-graphql';
import { IdentifierStatus, IdentifierType } from '../../graphql/enums';
import { DateScalar, DateTimeScalar } from '../../graphql/scalars';

/** An identity number (SSN, passport number, ...). The value itself is never returned, only last4. */
@ObjectType()
export class Identifier {
  @Field(() => ID)
  id: string;

  @Field(() => IdentifierType)
  type: IdentifierType;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2.' })
  issuingCountry: string | null;

  @Field(() => String, { description: 'The only part of the value ever returned.' })
  last4: string;

  @Field(() => DateScalar, { nullable: true })
  expiresOn: Date | null;

  @Field(() => IdentifierStatus)
  status: IdentifierStatus;

  @Field(() => DateTimeScalar)
  createdAt: Date;
}
