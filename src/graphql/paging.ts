import { GraphQLError } from 'graphql';
import { Field, ObjectType } from 'type-graphql';
import { InvalidPageRequest, Page, PagePosition, encodeCursor } from '../shared/paging';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

/**
 * An edge whose cursor is encoded when the operation selects it: most pages are read without
 * cursors, and encoding one per row was ~2% of a page's CPU.
 */
class Edge<T extends PagePosition> {
  constructor(readonly node: T) {}

  get cursor(): string {
    return encodeCursor(this.node);
  }
}

/** PageInfo whose endCursor is encoded only when selected. */
class LazyPageInfo<T extends PagePosition> implements PageInfo {
  constructor(
    readonly hasNextPage: boolean,
    private readonly last: T | undefined,
  ) {}

  get endCursor(): string | null {
    return this.last ? encodeCursor(this.last) : null;
  }
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: Promise<number>;
}

/** A page as a GraphQL connection; a bad size or forged cursor is BAD_USER_INPUT, never a server error. */
export async function connectionOf<T extends PagePosition>(load: () => Promise<Page<T>>): Promise<Connection<T>> {
  let page: Page<T>;
  try {
    page = await load();
  } catch (error) {
    if (error instanceof InvalidPageRequest) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
  let counted: Promise<number> | undefined;
  return {
    edges: page.rows.map((row) => new Edge(row)),
    pageInfo: new LazyPageInfo(page.hasNextPage, page.rows.at(-1)),
    // Counted when the operation selects it (once, however often it is selected), else never.
    get totalCount() {
      return (counted ??= Promise.resolve(page.totalCount()));
    },
  };
}
