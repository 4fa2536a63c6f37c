/**
 * Who a change is made for, as the domain rules need it: staff act on any client (identity facts of
 * a verified client only with the verify permission); a customer acts only on their own client and
 * must not learn whether any other client exists.
 */
export type Actor = { kind: 'staff'; mayCorrectIdentityFacts: boolean } | { kind: 'self'; clientId: string };

export function actsOn(actor: Actor, clientId: string): boolean {
  return actor.kind === 'staff' || actor.clientId === clientId;
}

/** "After verification": identity facts of a VERIFIED or ACTIVE client are corrected only by staff allowed to verify. */
export function mayCorrectIdentityFacts(actor: Actor): boolean {
  return actor.kind === 'staff' && actor.mayCorrectIdentityFacts;
}
