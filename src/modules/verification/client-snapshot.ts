import type { Client } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import type { ClientSnapshot } from './requirements';

/**
 * Where a snapshot's children come from: the change's transaction (what is about to be committed)
 * or a request's loaders (what a query reads). Both build the snapshot through `loadClientSnapshot`,
 * so the verification rules see the same shape whichever path asks.
 */
export interface ClientChildren {
  addresses(clientId: string): Promise<ClientSnapshot['addresses']>;
  identifiers(clientId: string): Promise<ClientSnapshot['identifiers']>;
  documents(clientId: string): Promise<ClientSnapshot['documents']>;
}

/** The client and its children as the verification rules see them. */
export async function loadClientSnapshot(children: ClientChildren, client: Client): Promise<ClientSnapshot> {
  const [addresses, identifiers, documents] = await Promise.all([
    children.addresses(client.id),
    children.identifiers(client.id),
    children.documents(client.id),
  ]);
  return { ...client, addresses, identifiers, documents };
}

/** The children as they stand inside a change's transaction (the client row is locked). */
export function childrenInTransaction(tx: Tx): ClientChildren {
  return {
    addresses: (clientId) => tx.address.findMany({ where: { clientId }, select: { isPrimary: true } }),
    identifiers: (clientId) => tx.identifier.findMany({ where: { clientId }, select: { type: true, status: true, expiresOn: true } }),
    documents: (clientId) => tx.document.findMany({ where: { clientId }, select: { type: true, status: true, expiresOn: true } }),
  };
}
