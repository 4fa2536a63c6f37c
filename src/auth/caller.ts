/**
 * Who is calling, as a verified token says ("Who may do what" in onboarding-rules.md). No GraphQL
 * or HTTP here: the GraphQL layer turns a missing scope into FORBIDDEN, services get an `Actor`.
 */
import type { Actor } from '../shared/actor';

/** `metrics:read`: operators' scrapers reading /metrics on the main port; it grants no client data. */
export const STAFF_SCOPES = ['clients:read', 'clients:write', 'documents:review', 'clients:verify', 'clients:activate', 'metrics:read'] as const;
export type StaffScope = (typeof STAFF_SCOPES)[number];
/** The scope of a customer's own token; its `sub` is the customer's client id. */
export const SELF_SCOPE = 'self';
export type Scope = StaffScope | typeof SELF_SCOPE;

export type Caller =
  | { kind: 'staff'; subject: string; scopes: ReadonlySet<StaffScope> }
  | { kind: 'self'; clientId: string };

/** Whether the caller holds one of `allowed` (a self caller holds exactly `self`). */
export function holdsAny(caller: Caller, allowed: readonly Scope[]): boolean {
  if (caller.kind === 'self') return allowed.includes(SELF_SCOPE);
  return allowed.some((scope) => scope !== SELF_SCOPE && caller.scopes.has(scope));
}

/** Who may read a client's data (and so be given its documents' download links). */
export function mayRead(caller: Caller, clientId: string): boolean {
  if (caller.kind === 'self') return caller.clientId === clientId;
  return staffMayRead(caller);
}

/** Whether staff may read clients: their scopes are not per client, so any client or none. */
export function staffMayRead(caller: Extract<Caller, { kind: 'staff' }>): boolean {
  return caller.scopes.has('clients:read') || caller.scopes.has('documents:review');
}

/** The caller as the domain services see it. */
export function actorOf(caller: Caller): Actor {
  return caller.kind === 'self'
    ? { kind: 'self', clientId: caller.clientId }
    : { kind: 'staff', mayCorrectIdentityFacts: caller.scopes.has('clients:verify') };
}
