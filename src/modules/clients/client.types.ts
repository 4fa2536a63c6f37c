import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ClientStatus, KycVerificationType } from '../../graphql/enums';
import { PageInfo } from '../../graphql/paging';
import { DateScalar, DateTimeScalar } from '../../graphql/scalars';

/** A customer going through onboarding. Its lists (addresses, identifiers, ...) are resolved in client.resolver.ts. */
@ObjectType()
export class Client {
  @Field(() => ID)
  id: string;

  @Field(() => String, { nullable: true, description: 'Your own id for this client; unique across clients.' })
  externalId: string | null;

  @Field(() => String)
  firstName: string;

  @Field(() => String)
  lastName: string;

  @Field(() => DateScalar, { nullable: true })
  dateOfBirth: Date | null;

  @Field(() => String, { nullable: true, description: 'Stored lower-cased.' })
  email: string | null;

  @Field(() => Boolean)
  emailVerified: boolean;

  @Field(() => String, { nullable: true, description: 'E.164, e.g. +14155550100.' })
  mobilePhone: string | null;

  @Field(() => Boolean)
  mobilePhoneVerified: boolean;

  @Field(() => ClientStatus)
  status: ClientStatus;

  @Field(() => KycVerificationType, { nullable: true, description: 'Level reached; null until verified.' })
  kycVerificationType: KycVerificationType | null;

  @Field(() => DateTimeScalar, { nullable: true })
  verifiedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  activatedAt: Date | null;

  @Field(() => DateTimeScalar)
  createdAt: Date;

  @Field(() => DateTimeScalar)
  updatedAt: Date;

  @Field(() => Int, { description: 'Increases by one on every change to the client or its children.' })
  version: number;

  @Field(() => Boolean, {
    description:
      'ACTIVE only: a change made the client miss a requirement of its level (or corrected its identity facts). Cleared by a successful verifyClient at that level.',
  })
  reverificationRequired: boolean;
}

@ObjectType()
export class ClientEdge {
  @Field(() => String)
  cursor: string;

  @Field(() => Client)
  node: Client;
}

@ObjectType()
export class ClientConnection {
  @Field(() => [ClientEdge])
  edges: ClientEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: Promise<number>;
}
