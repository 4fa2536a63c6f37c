import { Field, ID, InputType } from 'type-graphql';
import { ContactChannel } from '../../graphql/enums';

@InputType()
export class RequestContactVerificationInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => ContactChannel)
  channel: ContactChannel;
}

@InputType()
export class ConfirmContactVerificationInput {
  @Field(() => ID)
  clientId: string;

  @Field(() => ContactChannel)
  channel: ContactChannel;

  @Field(() => String, { description: 'The 6-digit code that was sent.' })
  code: string;
}
