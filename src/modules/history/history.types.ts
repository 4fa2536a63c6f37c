import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import { ClientEventTypeEnum, ClientStatus } from '../../graphql/enums';
import { DateTimeScalar } from '../../graphql/scalars';
import type { ClientEventType } from './history';

@ObjectType({ description: 'One entry of a client\'s append-only history.' })
export class ClientEvent {
  @Field(() => ID)
  id: string;

  @Field(() => ClientEventTypeEnum)
  type: ClientEventType;

  @Field(() => ClientStatus, { nullable: true })
  fromStatus: ClientStatus | null;

  @Field(() => ClientStatus, { nullable: true })
  toStatus: ClientStatus | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Non-personal facts of the event: ids, types, requirement codes.' })
  detail: Record<string, unknown> | null;

  @Field(() => DateTimeScalar)
  occurredAt: Date;
}
