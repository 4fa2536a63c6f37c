import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { respond } from '../../graphql/mutation-response';
import { ConfirmContactVerificationInput, RequestContactVerificationInput } from './contact.inputs';
import { ConfirmContactVerificationResult, RequestContactVerificationResult } from './contact.results';

@Resolver()
export class ContactResolver {
  @Requires('clients:write', 'self')
  @Mutation(() => RequestContactVerificationResult.union, { description: 'Sends a 6-digit code to the client\'s current email or mobile phone.' })
  async requestContactVerification(
    @Arg('input', () => RequestContactVerificationInput) input: RequestContactVerificationInput,
    @Ctx() ctx: RequestContext,
  ) {
    const result = await ctx.services.contactVerification.request(ctx.actor, input.clientId, input.channel);
    return respond(ctx, result, RequestContactVerificationResult);
  }

  @Mutation(() => ConfirmContactVerificationResult.union)
  @Requires('clients:write', 'self')
  async confirmContactVerification(
    @Arg('input', () => ConfirmContactVerificationInput) input: ConfirmContactVerificationInput,
    @Ctx() ctx: RequestContext,
  ) {
    const result = await ctx.services.contactVerification.confirm(ctx.actor, input.clientId, input.channel, input.code);
    return respond(ctx, result, ConfirmContactVerificationResult);
  }
}
