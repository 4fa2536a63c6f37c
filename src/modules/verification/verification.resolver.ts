import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { toUserError } from '../../graphql/user-error-mapping';
import { ActivateClientInput, VerifyClientInput } from './verification.inputs';
import { ActivateClientResult, ActivateClientSuccess, VerifyClientResult, VerifyClientSuccess } from './verification.results';

@Resolver()
export class VerificationResolver {
  @Requires('clients:verify')
  @Mutation(() => VerifyClientResult, { description: 'Checks the KYC requirements of a level and, when all are met, records the client as verified.' })
  async verifyClient(@Arg('input', () => VerifyClientInput) input: VerifyClientInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.verification.verify(ctx.actor, input.clientId, input.kycVerificationType);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.id);
    return Object.assign(new VerifyClientSuccess(), { client: result.value });
  }

  @Requires('clients:activate')
  @Mutation(() => ActivateClientResult, { description: 'VERIFIED to ACTIVE, after re-checking the requirements of the level reached.' })
  async activateClient(@Arg('input', () => ActivateClientInput) input: ActivateClientInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.verification.activate(ctx.actor, input.clientId);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.id);
    return Object.assign(new ActivateClientSuccess(), { client: result.value });
  }
}
