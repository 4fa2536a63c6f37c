import type { ClientStatus } from '../generated/prisma/enums';
import type { FieldError } from './validation';

/**
 * Expected failures are values, not exceptions. Each operation names in its type the failures it
 * can return (`Result<AddAddressSuccess, ValidationFailure | ClientNotFound>`), so the GraphQL
 * layer can check at compile time that the operation's union has a member for each of them
 * (`graphql/mutation-response.ts`). The failures several modules share are here; a module's own
 * (a duplicate identifier, unmet requirements, a wrong contact code) are declared in that module.
 */
export interface Failure {
  readonly kind: string;
}

export type Ok<T> = { ok: true; value: T };
export type Failed<F extends Failure> = { ok: false; failure: F };
export type Result<T, F extends Failure = Failure> = Ok<T> | Failed<F>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const fail = <F extends Failure>(failure: F): Failed<F> => ({ ok: false, failure });

// Each failure has one constructor, so a refusal is built the same way wherever it is decided.

export interface ValidationFailure {
  kind: 'validation';
  fieldErrors: FieldError[];
}
export const validationFailure = (fieldErrors: FieldError[]): ValidationFailure => ({ kind: 'validation', fieldErrors });

export interface ClientNotFound {
  kind: 'clientNotFound';
  clientId: string;
}
export const clientNotFound = (clientId: string): ClientNotFound => ({ kind: 'clientNotFound', clientId });

/** An address, identifier or document id that names nothing the caller may act on. */
export interface NotFound {
  kind: 'notFound';
  what: 'address' | 'identifier' | 'document';
  id: string;
}
export const notFound = (what: NotFound['what'], id: string): NotFound => ({ kind: 'notFound', what, id });

/**
 * A change to an address, identifier or document named by its id: when its client is gone by the
 * time the change runs, the child is gone with it, and the answer names the id the caller gave.
 */
export function childFailure<F extends Failure>(failure: F, what: NotFound['what'], id: string): Exclude<F, ClientNotFound> | NotFound {
  return failure.kind === 'clientNotFound' ? notFound(what, id) : (failure as Exclude<F, ClientNotFound>);
}

/** The client's status does not allow the change. */
export interface InvalidStatus {
  kind: 'invalidStatus';
  clientId: string;
  currentStatus: ClientStatus;
  allowedStatuses: ClientStatus[];
  message: string;
}
export const invalidStatus = (client: { id: string; status: ClientStatus }, allowedStatuses: ClientStatus[], message: string): InvalidStatus => ({
  kind: 'invalidStatus',
  clientId: client.id,
  currentStatus: client.status,
  allowedStatuses,
  message,
});

export interface DuplicateExternalId {
  kind: 'duplicateExternalId';
  externalId: string;
}
export const duplicateExternalId = (externalId: string): DuplicateExternalId => ({ kind: 'duplicateExternalId', externalId });

export interface RateLimited {
  kind: 'rateLimited';
  retryAfterSeconds: number;
  message: string;
}
export const rateLimited = (retryAfterSeconds: number, message: string): RateLimited => ({ kind: 'rateLimited', retryAfterSeconds, message });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a record (and must never reach PostgreSQL's uuid cast). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
