/**
 * From a service's `Result` to the member of a mutation's result union, in one place.
 *
 * Each mutation declares its union once, from a success class and the error members it can
 * answer with (in its `*.results.ts`):
 *
 *   export const AddAddressResult = resultUnion('AddAddressResult', AddAddressSuccess, [ValidationError, ClientNotFoundError]);
 *
 * Every error member names the failure it answers (`static kind`, `static of(failure)`), so the
 * list says both which members the GraphQL union has and which failures the mutation can map.
 * `respond` accepts only a `Result` whose failures are all in that list: when a service starts
 * returning a failure its union has no member for, the resolver no longer compiles (instead of a
 * masked 500 at run time). test/structure/typed-failures.test.ts shows it.
 */
import { createUnionType } from 'type-graphql';
import type { Failure, Result } from '../shared/result';
import type { RequestContext } from './context';
import { UserError, instance } from './user-errors';

/** An error member of a result union: the UserError class that answers one kind of failure. */
export interface ErrorMember<F extends Failure = Failure> {
  new (): UserError;
  readonly kind: F['kind'];
  of(failure: F): UserError;
}

/** The failures a list of error members can answer. */
export type FailureOf<M> = M extends { of(failure: infer F): UserError } ? F : never;

/** A success member says which client the mutation changed, if it changed one. */
type Success = { client: { id: string } } | { client?: undefined };

export interface ResultUnion<S extends Success, M extends readonly ErrorMember[]> {
  /** The GraphQL union, for `@Mutation(() => X.union)`. */
  union: object;
  Success: new () => S;
  errors: M;
}

export function resultUnion<S extends Success, M extends readonly ErrorMember[]>(
  name: string,
  Success: new () => S,
  errors: M,
): ResultUnion<S, M> {
  return { union: createUnionType({ name, types: () => [Success, ...errors] as const }), Success, errors };
}

/**
 * The answer of a mutation: the success member (after the request's loaders forget what they
 * knew of the changed client, so fields read after the mutation see the change), or the error
 * member of the failure.
 */
export function respond<S extends Success, M extends readonly ErrorMember[]>(
  ctx: RequestContext,
  result: Result<NoInfer<S>, FailureOf<M[number]>>,
  { Success, errors }: Pick<ResultUnion<S, M>, 'Success' | 'errors'>,
): S | UserError {
  if (!result.ok) {
    const answer = errorFor(result.failure, errors);
    // The request's log line and metrics name the member (src/operations/request-log.ts).
    ctx.request.typedErrors.push(answer.constructor.name);
    return answer;
  }
  if (result.value.client) ctx.loaders.forgetClient(result.value.client.id);
  return instance(Success, result.value);
}

function errorFor(failure: Failure, errors: readonly ErrorMember[]): UserError {
  const member = errors.find((candidate) => candidate.kind === failure.kind);
  // Unreachable while respond's types hold; thrown (and masked) rather than answered wrongly.
  if (!member) throw new Error(`no union member for failure ${failure.kind}`);
  return member.of(failure);
}
