import type { Client } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import type { ClientSnapshot } from './requirements';

/** The client's children as the verification rules see them, read inside the change's transaction. */
export async function loadClientSnapshot(tx: Tx, client: Client): Promise<ClientSnapshot> {
  const [addresses, identifiers, documents] = await Promise.all([
    tx.address.findMany({ where: { clientId: client.id }, select: { isPrimary: true } }),
    tx.identifier.findMany({ where: { clientId: client.id }, select: { type: true, status: true, expiresOn: true } }),
    tx.document.findMany({ where: { clientId: client.id }, select: { type: true, status: true, expiresOn: true } }),
  ]);
  return { ...client, addresses, identifiers, documents };
}
