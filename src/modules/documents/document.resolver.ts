import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Document as DocumentRow } from '../../generated/prisma/client';
import type { RequestContext } from '../../graphql/context';
import { toUserError } from '../../graphql/user-error-mapping';
import { isDocumentValid } from '../verification/requirements';
import { AddDocumentInput, ReviewDocumentInput } from './document.inputs';
import { AddDocumentResult, AddDocumentSuccess, ReviewDocumentResult, ReviewDocumentSuccess } from './document.results';
import { Document } from './document.types';

@Resolver(() => Document)
export class DocumentResolver {
  @Mutation(() => AddDocumentResult)
  async addDocument(@Arg('input', () => AddDocumentInput) input: AddDocumentInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.documents.add(input);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.client.id);
    return Object.assign(new AddDocumentSuccess(), result.value);
  }

  @Mutation(() => ReviewDocumentResult)
  async reviewDocument(@Arg('input', () => ReviewDocumentInput) input: ReviewDocumentInput, @Ctx() ctx: RequestContext) {
    const result = await ctx.services.documents.review(input);
    if (!result.ok) return toUserError(result.failure);
    ctx.loaders.forgetClient(result.value.client.id);
    return Object.assign(new ReviewDocumentSuccess(), result.value);
  }

  @FieldResolver(() => Boolean, { description: 'ACCEPTED and not expired today.' })
  isValid(@Root() document: DocumentRow, @Ctx() ctx: RequestContext): boolean {
    return isDocumentValid(document, ctx.services.clock());
  }

  @FieldResolver(() => String, { description: 'Signed URL on this server that serves the stored bytes; valid for 5 minutes.' })
  downloadUrl(@Root() document: DocumentRow, @Ctx() ctx: RequestContext): string {
    return ctx.services.downloadLinks.urlFor(ctx.baseUrl, document.id);
  }
}
