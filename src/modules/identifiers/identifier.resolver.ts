import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Identifier as IdentifierRow } from '../../generated/prisma/client';
import { Requires } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { respond } from '../../graphql/mutation-response';
import { isIdentifierValid } from '../verification/requirements';
import { AddIdentifierInput } from './identifier.inputs';
import { AddIdentifierResult, DeactivateIdentifierResult } from './identifier.results';
import { Identifier } from './identifier.types';

@Resolver(() => Identifier)
export class IdentifierResolver {
  @Mutation(() => AddIdentifierResult.union)
  @Requires('clients:write', 'self')
  async addIdentifier(@Arg('input', () => AddIdentifierInput) input: AddIdentifierInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.identifiers.add(ctx.actor, input), AddIdentifierResult);
  }

  @Mutation(() => DeactivateIdentifierResult.union)
  @Requires('clients:write', 'self')
  async deactivateIdentifier(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.identifiers.deactivate(ctx.actor, id), DeactivateIdentifierResult);
  }

  @FieldResolver(() => Boolean, { description: 'ACTIVE and not expired today.' })
  isValid(@Root() identifier: IdentifierRow, @Ctx() ctx: RequestContext): boolean {
    return isIdentifierValid(identifier, ctx.services.clock());
  }
}
