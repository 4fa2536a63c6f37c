import { Field, ID, ObjectType } from 'type-graphql';
import { ClientStatus } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';

@ObjectType({ description: 'One entry of a client\'s append-only history.' })
export class ClientEvent {
  @Field(() => ID)
  id: string;

  @Field(() => String, { description: 'e.g. CLIENT_CREATED, CLIENT_VERIFIED, VERIFICATION_REVOKED, CLIENT_ACTIVATED.' })
  type: string;

  @Field(() => ClientStatus, { nullable: true })
  fromStatus: ClientStatus | null;

  @Field(() => ClientStatus, { nullable: true })
  toStatus: ClientStatus | null;

  @Field(() => String, { nullable: true, description: 'JSON object with non-personal facts of the event (ids, types, codes).' })
  detail: string | null;

  @Field(() => DateTimeScalar)
  occurredAt: Date;
}
