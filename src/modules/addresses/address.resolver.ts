import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { respond } from '../../graphql/mutation-response';
import { AddAddressInput } from './address.inputs';
import { AddAddressResult, RemoveAddressResult } from './address.results';

@Resolver()
export class AddressResolver {
  @Mutation(() => AddAddressResult.union)
  @Requires('clients:write', 'self')
  async addAddress(@Arg('input', () => AddAddressInput) input: AddAddressInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.addresses.add(ctx.actor, input), AddAddressResult);
  }

  @Mutation(() => RemoveAddressResult.union)
  @Requires('clients:write', 'self')
  async removeAddress(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.addresses.remove(ctx.actor, id), RemoveAddressResult);
  }
}
