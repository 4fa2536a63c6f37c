import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, GraphQLField, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { Extensions, UseMiddleware } from 'type-graphql';
import { Caller, Scope, holdsAny, mayRead, staffMayRead } from '../auth/caller';
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
  const decorators = [middleware, extensions] as Array<(target: object, key: string | symbol, descriptor?: PropertyDescriptor) => void>;
  return ((target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    for (const decorate of decorators) decorate(target, key, descriptor);
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

const DOCUMENT_LINKS_FOR_READERS = 'document links are issued only to callers who may read the client (clients:read or documents:review)';

function neededScopes(allowed: readonly Scope[]): string {
  const staff = allowed.filter((scope) => scope !== 'self');
  return `this needs the ${staff.join(' or ')} scope${allowed.includes('self') ? ' (or the client\'s own self-service token)' : ''}`;
}

/** A self caller sees only its own client; any other id reads as one that does not exist. */
export function visibleTo(caller: Caller, clientId: string): boolean {
  return caller.kind !== 'self' || caller.clientId === clientId;
}

export function assertMayRead(caller: Caller, clientId: string): void {
  if (!mayRead(caller, clientId)) throw forbidden(DOCUMENT_LINKS_FOR_READERS);
}

/**
 * A staff token that may not read clients (no clients:read, no documents:review) gets no document
 * links (`Document.downloadUrl`, see assertMayRead). An operation that selects one is refused as a
 * whole before it runs, FORBIDDEN on that field: a mutation is not applied and then answered
 * `data: null` (downloadUrl is non-null), which a retry without an Idempotency-Key would apply again.
 */
export function documentLinksBeforeExecution(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, schema, operation }) {
          const { caller } = contextValue;
          if (caller.kind !== 'staff' || staffMayRead(caller)) return;
          const typeInfo = new TypeInfo(schema);
          let link: string[] | null = null;
          const path: string[] = [];
          visit(
            document,
            visitWithTypeInfo(typeInfo, {
              OperationDefinition: (node) => (node === operation ? undefined : false),
              Field: {
                enter(node) {
                  path.push(node.alias?.value ?? node.name.value);
                  if (link === null && node.name.value === 'downloadUrl' && typeInfo.getParentType()?.name === 'Document') link = [...path];
                },
                leave() {
                  path.pop();
                },
              },
            }),
          );
          if (link === null) return;
          // Thrown before execution, so Apollo would answer 500 without the status.
          throw new GraphQLError(`Forbidden: ${DOCUMENT_LINKS_FOR_READERS}; nothing was run.`, { path: link, extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
        },
      };
    },
  };
}
