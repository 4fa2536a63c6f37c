/**
 * Keyset paging, oldest first: a cursor names the (createdAt, id) of the last row a page showed,
 * so the next page starts strictly after it even when rows before it change or leave the list.
 */
import { isUuid } from './result';

export const MAX_PAGE_SIZE = 100;

/** A page request the API cannot answer (bad size, a cursor it never issued): a GraphQL BAD_USER_INPUT. */
export class InvalidPageRequest extends Error {}

export interface PagePosition {
  createdAt: Date;
  id: string;
}

export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new InvalidPageRequest(`first must be an integer from 0 to ${MAX_PAGE_SIZE}.`);
  }
}

export function encodeCursor(row: PagePosition): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  if (cursor.length <= 200) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
        const createdAt = new Date(parsed[0]);
        // Only instants this API could have written: a forged year -200000 is not a database error.
        const year = createdAt.getUTCFullYear();
        if (isUuid(parsed[1]) && year >= 2000 && year <= 9999) return { createdAt, id: parsed[1] };
      }
    } catch {
      // fall through
    }
  }
  throw new InvalidPageRequest('after is not a cursor this API returned.');
}

/** Rows strictly after `position` in (createdAt, id) order, as a Prisma where clause. */
export function afterPosition(position: PagePosition | null) {
  return position
    ? { OR: [{ createdAt: { gt: position.createdAt } }, { createdAt: position.createdAt, id: { gt: position.id } }] }
    : {};
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  /**
   * Counts every row the filter matches: a statement of its own that reads them all, so it runs
   * only when asked for (most pages are read without `totalCount`).
   */
  totalCount: () => Promise<number>;
}

/** Fetches one row more than asked, which tells whether a next page exists (also for first: 0). */
export function pageOf<T extends PagePosition>(rows: T[], first: number, totalCount: () => Promise<number>): Page<T> {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first, totalCount };
}
