import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Client as ClientRow } from '../../generated/prisma/client';
import { Requires, visibleTo } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { ClientStatus, KycVerificationType } from '../../graphql/enums';
import { LIST_KINDS, ListKind } from '../../graphql/loaders';
import { selectedFieldNames } from '../../graphql/lookahead';
import { connectionOf } from '../../graphql/paging';
import { respond } from '../../graphql/mutation-response';
import { Address } from '../addresses/address.types';
import { Document } from '../documents/document.types';
import { ClientEvent } from '../history/history.types';
import { Identifier } from '../identifiers/identifier.types';
import { MissingRequirement } from '../verification/verification.types';
import { CreateClientInput, UpdateClientInput } from './client.inputs';
import { CreateClientResult, UpdateClientResult } from './client.results';
import { Client, ClientConnection } from './client.types';

@Resolver(() => Client)
export class ClientResolver {
  @Query(() => Client, { nullable: true, description: 'null when no such client exists (or, for a self-service token, when it is not the caller\'s own).' })
  @Requires('clients:read', 'self')
  async client(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<ClientRow | null> {
    const wanted = id.toLowerCase();
    return visibleTo(ctx.caller, wanted) ? ctx.services.clients.findById(wanted) : null;
  }

  @Query(() => Client, { nullable: true })
  @Requires('clients:read')
  async clientByExternalId(@Arg('externalId', () => String) externalId: string, @Ctx() ctx: RequestContext): Promise<ClientRow | null> {
    return ctx.services.clients.findByExternalId(externalId);
  }

  @Query(() => Client, { nullable: true, description: "The caller's own client (a self-service token); null for staff tokens." })
  async me(@Ctx() ctx: RequestContext): Promise<ClientRow | null> {
    return ctx.caller.kind === 'self' ? ctx.services.clients.findById(ctx.caller.clientId) : null;
  }

  @Query(() => ClientConnection, { description: 'Oldest first. first: 0 to 100.' })
  @Requires('clients:read')
  async clients(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('status', () => ClientStatus, { nullable: true }) status: ClientStatus | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ClientConnection> {
    const connection = await connectionOf(() => ctx.services.clients.list(first ?? 20, after ?? null, status ?? null));
    // The page's lists are loaded now, one statement a kind as the loaders would, so that each
    // client's fields answer without a promise (graphql-js then completes a client synchronously).
    const kinds = listsSelected(selectedFieldNames(info, ['edges', 'node']));
    if (kinds.length > 0) await ctx.loaders.prefetch(kinds, connection.edges.map((edge) => edge.node.id));
    return connection;
  }

  @Mutation(() => CreateClientResult.union)
  @Requires('clients:write')
  async createClient(@Arg('input', () => CreateClientInput) input: CreateClientInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.clients.create(input), CreateClientResult);
  }

  @Mutation(() => UpdateClientResult.union)
  @Requires('clients:write', 'self')
  async updateClient(@Arg('input', () => UpdateClientInput) input: UpdateClientInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.clients.update(ctx.actor, input), UpdateClientResult);
  }

  @FieldResolver(() => [Address])
  addresses(@Root() client: ClientRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.listOf('addresses', client.id);
  }

  @FieldResolver(() => [Identifier])
  identifiers(@Root() client: ClientRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.listOf('identifiers', client.id);
  }

  @FieldResolver(() => [Document])
  documents(@Root() client: ClientRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.listOf('documents', client.id);
  }

  @FieldResolver(() => [ClientEvent], { description: 'Oldest first; append-only.' })
  history(@Root() client: ClientRow, @Ctx() ctx: RequestContext) {
    return ctx.loaders.listOf('history', client.id);
  }

  @FieldResolver(() => [MissingRequirement], { description: 'What verifyClient would find missing right now, without changing anything.' })
  async missingRequirements(
    @Root() client: ClientRow,
    @Arg('kycVerificationType', () => KycVerificationType) level: KycVerificationType,
    @Ctx() ctx: RequestContext,
  ): Promise<MissingRequirement[]> {
    return ctx.services.verification.missingFor(client, level, ctx.loaders.children);
  }
}

/** The lists a selection of Client fields reads: its list fields, and the three missingRequirements checks. */
function listsSelected(fields: Set<string>): ListKind[] {
  const kinds = new Set(LIST_KINDS.filter((kind) => fields.has(kind)));
  if (fields.has('missingRequirements')) for (const kind of ['addresses', 'identifiers', 'documents'] as const) kinds.add(kind);
  return [...kinds];
}
