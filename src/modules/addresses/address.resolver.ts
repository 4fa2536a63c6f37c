import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { toUserError } from '../../graphql/user-error-mapping';
import { clientPayload } from '../clients/client.resolver';
import { AddAddressInput } from './address.inputs';
import { AddAddressResult, AddAddressSuccess, RemoveAddressResult } from './address.results';

@Resolver()
export class AddressResolver {
  @Mutation(() => AddAddressResult)
  @Requires('clients:write', 'self')
  async addAddress(@Arg('input', () => AddAddressInput) input: AddAddressInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.addresses.add(ctx.actor, input);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.client.id);
    return Object.assign(new AddAddressSuccess(), result.value);
  }

  @Mutation(() => RemoveAddressResult)
  @Requires('clients:write', 'self')
  async removeAddress(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.addresses.remove(ctx.actor, id);
    return result.ok ? clientPayload(ctx, result.value) : toUserError(result.failure);
  }
}
