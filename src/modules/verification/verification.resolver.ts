import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { respond } from '../../graphql/mutation-response';
import { ActivateClientInput, VerifyClientInput } from './verification.inputs';
import { ActivateClientResult, VerifyClientResult } from './verification.results';

@Resolver()
export class VerificationResolver {
  @Requires('clients:verify')
  @Mutation(() => VerifyClientResult.union, { description: 'Checks the KYC requirements of a level and, when all are met, records the client as verified.' })
  async verifyClient(@Arg('input', () => VerifyClientInput) input: VerifyClientInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.verification.verify(ctx.actor, input.clientId, input.kycVerificationType), VerifyClientResult);
  }

  @Requires('clients:activate')
  @Mutation(() => ActivateClientResult.union, { description: 'VERIFIED to ACTIVE, after re-checking the requirements of the level reached.' })
  async activateClient(@Arg('input', () => ActivateClientInput) input: ActivateClientInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.verification.activate(ctx.actor, input.clientId), ActivateClientResult);
  }
}
