import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Client as ClientRow, Document as DocumentRow } from '../../generated/prisma/client';
import { Requires, assertMayRead } from '../../graphql/access';
import type { RequestContext } from '../../graphql/context';
import { connectionOf } from '../../graphql/paging';
import { respond } from '../../graphql/mutation-response';
import { Client } from '../clients/client.types';
import { isDocumentValid } from '../verification/requirements';
import { AddDocumentInput, CreateDocumentUploadInput, ReviewDocumentInput } from './document.inputs';
import { AddDocumentResult, CreateDocumentUploadResult, ReviewDocumentResult } from './document.results';
import { Document, DocumentReviewConnection, DocumentReviewEdge } from './document.types';

@Resolver(() => Document)
export class DocumentResolver {
  @Requires('documents:review')
  @Query(() => DocumentReviewConnection, {
    description: 'The back office\'s work queue: documents still PENDING_REVIEW across all clients, oldest first. first: 0 to 100.',
  })
  async documentsAwaitingReview(
    @Arg('first', () => Int, { nullable: true, defaultValue: 20 }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<DocumentReviewConnection> {
    return connectionOf(() => ctx.services.documents.awaitingReview(first ?? 20, after ?? null));
  }

  @Mutation(() => AddDocumentResult.union)
  @Requires('clients:write', 'self')
  async addDocument(@Arg('input', () => AddDocumentInput) input: AddDocumentInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.documents.add(ctx.actor, input), AddDocumentResult);
  }

  @Mutation(() => CreateDocumentUploadResult.union, {
    description: 'Starts a direct upload: answers a signed, single-use URL (15 minutes) to PUT the file\'s raw bytes to; then addDocument with its uploadId.',
  })
  @Requires('clients:write', 'self')
  async createDocumentUpload(@Arg('input', () => CreateDocumentUploadInput) input: CreateDocumentUploadInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.documentUploads.create(ctx.actor, input, ctx.baseUrl), CreateDocumentUploadResult);
  }

  @Mutation(() => ReviewDocumentResult.union)
  @Requires('documents:review')
  async reviewDocument(@Arg('input', () => ReviewDocumentInput) input: ReviewDocumentInput, @Ctx() ctx: RequestContext) {
    return respond(ctx, await ctx.services.documents.review(ctx.actor, input), ReviewDocumentResult);
  }

  @FieldResolver(() => Boolean, { description: 'ACCEPTED and not expired today.' })
  isValid(@Root() document: DocumentRow, @Ctx() ctx: RequestContext): boolean {
    return isDocumentValid(document, ctx.services.clock());
  }

  @FieldResolver(() => String, { description: 'Signed URL on this server that serves the stored bytes; valid for 5 minutes.' })
  downloadUrl(@Root() document: DocumentRow, @Ctx() ctx: RequestContext): string {
    assertMayRead(ctx.caller, document.clientId);
    return ctx.services.downloadLinks.urlFor(ctx.baseUrl, document.id);
  }
}

@Resolver(() => DocumentReviewEdge)
export class DocumentReviewEdgeResolver {
  @FieldResolver(() => Client, { description: 'The client the document belongs to.' })
  async client(@Root() edge: { node: DocumentRow }, @Ctx() ctx: RequestContext): Promise<ClientRow> {
    const client = await ctx.loaders.client.load(edge.node.clientId);
    if (!client) throw new Error(`document ${edge.node.id} has no client`);
    return client;
  }
}
