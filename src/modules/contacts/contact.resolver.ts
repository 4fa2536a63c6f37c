import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { toUserError } from '../../graphql/user-error-mapping';
import { clientPayload } from '../clients/client.resolver';
import { ConfirmContactVerificationInput, RequestContactVerificationInput } from './contact.inputs';
import { ConfirmContactVerificationResult, ContactVerificationRequested, RequestContactVerificationResult } from './contact.results';

@Resolver()
export class ContactResolver {
  @Requires('clients:write', 'self')
  @Mutation(() => RequestContactVerificationResult, { description: 'Sends a 6-digit code to the client\'s current email or mobile phone.' })
  async requestContactVerification(
    @Arg('input', () => RequestContactVerificationInput) input: RequestContactVerificationInput,
    @Ctx() ctx: RequestContext,
  ) {
    const result = await ctx.services.contactVerification.request(ctx.actor, input.clientId, input.channel);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.client.id);
    return Object.assign(new ContactVerificationRequested(), { ...result.value, channel: input.channel });
  }

  @Mutation(() => ConfirmContactVerificationResult)
  @Requires('clients:write', 'self')
  async confirmContactVerification(
    @Arg('input', () => ConfirmContactVerificationInput) input: ConfirmContactVerificationInput,
    @Ctx() ctx: RequestContext,
  ) {
    const result = await ctx.services.contactVerification.confirm(ctx.actor, input.clientId, input.channel, input.code);
    return result.ok ? clientPayload(ctx, result.value) : toUserError(result.failure);
  }
}
