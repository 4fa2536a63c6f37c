import 'reflect-metadata';
import type { RequestContext } from '../../src/graphql/context';
import { respond } from '../../src/graphql/mutation-response';
import { ClientNotFoundError, RateLimitedError, ValidationError } from '../../src/graphql/user-errors';
import { DuplicateIdentifierError } from '../../src/modules/identifiers/identifier.errors';
import { AddIdentifierResult, AddIdentifierSuccess } from '../../src/modules/identifiers/identifier.results';
import type { IdentifierService } from '../../src/modules/identifiers/identifier.service';
import { fail, ok } from '../../src/shared/result';

type AddIdentifierOutcome = Awaited<ReturnType<IdentifierService['add']>>;

/**
 * Never called: it is here to be type-checked (ts-jest and `npm run typecheck` compile it). The
 * `@ts-expect-error` line fails the build if it ever compiles, i.e. if a union that lacks a member
 * for a failure the service can return were accepted.
 */
export function compilesOnlyWithEveryFailureAnswered(ctx: RequestContext, added: AddIdentifierOutcome) {
  respond(ctx, added, AddIdentifierResult);
  // @ts-expect-error addIdentifier can answer a duplicate, and this union has no DuplicateIdentifierError
  respond(ctx, added, { Success: AddIdentifierSuccess, errors: [ValidationError, ClientNotFoundError, RateLimitedError] });
}

describe('a mutation response', () => {
  const forgotten: string[] = [];
  const request = { id: 'request', typedErrors: [] as string[] };
  const ctx = { loaders: { forgetClient: (id: string) => forgotten.push(id) }, request } as unknown as RequestContext;
  const client = { id: '0b7c3f5e-2d1a-4c8e-9f6b-1a2b3c4d5e6f' } as AddIdentifierSuccess['client'];

  it('answers a failure with the member of its kind, built from the failure', () => {
    const answer = respond(ctx, fail({ kind: 'duplicateIdentifier', identifierType: 'SSN' } as const), AddIdentifierResult);

    expect(answer).toBeInstanceOf(DuplicateIdentifierError);
    expect(answer).toEqual({
      message: 'An active SSN with this value already exists.',
      userMessageGlobalisationCode: 'error.msg.client.identifier.duplicate',
      identifierType: 'SSN',
    });
    expect(forgotten).toEqual([]);
    // the request's log line and metrics will name the member
    expect(request.typedErrors).toEqual(['DuplicateIdentifierError']);
  });

  it('answers a success with an instance of the success member, after forgetting what the loaders knew of the client', () => {
    const identifier = { id: 'identifier' } as AddIdentifierSuccess['identifier'];

    const answer = respond(ctx, ok({ client, identifier }), AddIdentifierResult);

    expect(answer).toBeInstanceOf(AddIdentifierSuccess);
    expect(answer).toEqual({ client, identifier });
    expect(forgotten).toEqual([client.id]);
  });
});
