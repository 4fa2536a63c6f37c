import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Identifier as IdentifierRow } from '../../generated/prisma/client';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { toUserError } from '../../graphql/user-error-mapping';
import { clientPayload } from '../clients/client.resolver';
import { isIdentifierValid } from '../verification/requirements';
import { AddIdentifierInput } from './identifier.inputs';
import { AddIdentifierResult, AddIdentifierSuccess, DeactivateIdentifierResult } from './identifier.results';
import { Identifier } from './identifier.types';

@Resolver(() => Identifier)
export class IdentifierResolver {
  @Mutation(() => AddIdentifierResult)
  @Requires('clients:write', 'self')
  async addIdentifier(@Arg('input', () => AddIdentifierInput) input: AddIdentifierInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.identifiers.add(ctx.actor, input);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.client.id);
    return Object.assign(new AddIdentifierSuccess(), result.value);
  }

  @Mutation(() => DeactivateIdentifierResult)
  @Requires('clients:write', 'self')
  async deactivateIdentifier(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.identifiers.deactivate(ctx.actor, id);
    return result.ok ? clientPayload(ctx, result.value) : toUserError(result.failure);
  }

  @FieldResolver(() => Boolean, { description: 'ACTIVE and not expired today.' })
  isValid(@Root() identifier: IdentifierRow, @Ctx() ctx: RequestContext): boolean {
    return isIdentifierValid(identifier, ctx.services.clock());
  }
}
