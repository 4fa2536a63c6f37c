import { Field, ID, InputType } from 'type-graphql';
import { DateScalar } from '../../graphql/scalars';

@InputType()
export class CreateClientInput {
  @Field(() => String, { nullable: true, description: 'Your own id for this client; unique across clients.' })
  externalId?: string | null;

  @Field(() => String)
  firstName: string;

  @Field(() => String)
  lastName: string;

  @Field(() => DateScalar, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'International format, e.g. +14155550100; stored as E.164.' })
  mobilePhone?: string | null;
}

@InputType({ description: 'Only the fields given change; null clears dateOfBirth, email or mobilePhone.' })
export class UpdateClientInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => DateScalar, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => String, { nullable: true, description: 'A new value is unverified again.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'A new value is unverified again.' })
  mobilePhone?: string | null;
}
