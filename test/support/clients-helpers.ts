import { randomInt } from 'node:crypto';
import { ClientStatus, ClientsDocument } from '../generated/graphql';
import type { TestApp } from './test-app';

type Member = { __typename: string };

/** The result union member, narrowed to `typename`; fails the test (showing what came) otherwise. */
export function expectMember<T extends Member, N extends T['__typename']>(result: T, typename: N): Extract<T, { __typename: N }> {
  if (result.__typename !== typename) throw new Error(`expected ${typename}, got ${JSON.stringify(result)}`);
  return result as Extract<T, { __typename: N }>;
}

/** The (path, code) pairs of a ValidationError, for comparing without the human messages. */
export function fieldErrorsOf<T extends Member>(result: T): Array<{ path: string[]; code: string }> {
  const error = expectMember(result, 'ValidationError' as T['__typename']) as unknown as {
    fieldErrors: Array<{ path: string[]; code: string; message: string }>;
  };
  for (const fieldError of error.fieldErrors) expect(fieldError.message).not.toBe('');
  return error.fieldErrors.map(({ path, code }) => ({ path, code }));
}

/** How many clients the API reports (optionally in one status). */
export async function countClients(t: TestApp, status?: ClientStatus): Promise<number> {
  const page = await t.run(ClientsDocument, { first: 0, status });
  return page.clients.totalCount;
}

/** A structurally valid ITIN with the given fourth and fifth digits, different on each call. */
export function itinWithGroup(group: number): string {
  return `9${String(randomInt(0, 100)).padStart(2, '0')}-${String(group).padStart(2, '0')}-${String(randomInt(1, 10000)).padStart(4, '0')}`;
}

/** A document number (passport, licence, ...) different on each call. */
export function randomDocumentNumber(prefix = 'P'): string {
  return `${prefix}${randomInt(10_000_000, 100_000_000)}`;
}

/** Today's date on the app's clock (YYYY-MM-DD, UTC), moved by whole days. */
export function appDate(t: TestApp, daysFromToday = 0): string {
  return new Date(t.clock.now().getTime() + daysFromToday * 86_400_000).toISOString().slice(0, 10);
}

/** The app's today, moved by whole years (same month and day). */
export function appDateYearsAgo(t: TestApp, years: number): string {
  const date = t.clock.now();
  date.setUTCFullYear(date.getUTCFullYear() - years);
  return date.toISOString().slice(0, 10);
}
