import { GraphQLError } from 'graphql';
import { Field, ObjectType } from 'type-graphql';
import { InvalidPageRequest, Page } from '../shared/paging';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Connection<E> {
  edges: E[];
  pageInfo: PageInfo;
  totalCount: Promise<number>;
}

/** A page as a GraphQL connection; a bad size or forged cursor is BAD_USER_INPUT, never a server error. */
export async function connectionOf<T, E>(load: () => Promise<Page<T>>, edge: (row: T, cursor: string) => E): Promise<Connection<E>> {
  let page: Page<T>;
  try {
    page = await load();
  } catch (error) {
    if (error instanceof InvalidPageRequest) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
  let counted: Promise<number> | undefined;
  return {
    edges: page.rows.map((row, index) => edge(row, page.cursors[index])),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
    // Counted when the operation selects it (once, however often it is selected), else never.
    get totalCount() {
      return (counted ??= Promise.resolve(page.totalCount()));
    },
  };
}
