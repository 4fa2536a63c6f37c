import { GraphQLError, GraphQLField } from 'graphql';
import { Extensions, UseMiddleware } from 'type-graphql';
import { Caller, Scope, holdsAny, mayRead } from '../auth/caller';
import type { RequestContext } from './context';

/**
 * The scopes that may run a query or mutation ("Who may do what" in onboarding-rules.md). A caller
 * without one gets a GraphQL error coded FORBIDDEN on that field; other fields still answer.
 */
export function Requires(...allowed: Scope[]): MethodDecorator & PropertyDecorator {
  const middleware = UseMiddleware(async ({ context }: { context: RequestContext }, next) => {
    if (!holdsAny(context.caller, allowed)) throw forbidden(neededScopes(allowed));
    return next();
  });
  // Also on the schema's field, for checks made before execution (a replayed Idempotency-Key).
  const extensions = Extensions({ [REQUIRED_SCOPES]: allowed });
  return ((target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    (middleware as (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => void)(target, key, descriptor);
    (extensions as (target: object, key: string | symbol, descriptor?: PropertyDescriptor) => void)(target, key, descriptor);
  }) as MethodDecorator & PropertyDecorator;
}

/** The field extension that holds the scopes `Requires` allows. */
export const REQUIRED_SCOPES = 'requiredScopes';

/** Whether the caller may run `field` as far as `Requires` goes (a field without it: yes). */
export function mayRunField(caller: Caller, field: GraphQLField<unknown, unknown> | undefined): boolean {
  const allowed = field?.extensions?.[REQUIRED_SCOPES] as readonly Scope[] | undefined;
  return allowed === undefined || holdsAny(caller, allowed);
}

export function forbidden(what: string): GraphQLError {
  return new GraphQLError(`Forbidden: ${what}.`, { extensions: { code: 'FORBIDDEN' } });
}

function neededScopes(allowed: readonly Scope[]): string {
  const staff = allowed.filter((scope) => scope !== 'self');
  return `this needs the ${staff.join(' or ')} scope${allowed.includes('self') ? ' (or the client\'s own self-service token)' : ''}`;
}

/** A self caller sees only its own client; any other id reads as one that does not exist. */
export function visibleTo(caller: Caller, clientId: string): boolean {
  return caller.kind !== 'self' || caller.clientId === clientId;
}

export function assertMayRead(caller: Caller, clientId: string): void {
  if (!mayRead(caller, clientId)) throw forbidden('document links are issued only to callers who may read the client (clients:read or documents:review)');
}
