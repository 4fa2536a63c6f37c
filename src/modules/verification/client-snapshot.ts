import type { Client } from '../../generated/prisma/client';
import type { DocumentStatus, DocumentType, IdentifierStatus, IdentifierType } from '../../generated/prisma/enums';
import type { Tx } from '../../db/transaction';
import type { ClientSnapshot } from './requirements';

/**
 * Where a snapshot's children come from when a query reads them: a request's loaders. A change
 * reads them in its transaction (what is about to be committed) with
 * `loadClientSnapshotInTransaction`; the verification rules see the same shape whichever path asks.
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

/**
 * The client and its children as they stand inside a change's transaction (the client row is
 * locked), the three lists read in one statement.
 */
export async function loadClientSnapshotInTransaction(tx: Tx, client: Client): Promise<ClientSnapshot> {
  const rows = await tx.$queryRaw<ChildRow[]>`
    SELECT 'address' AS "list", is_primary AS "isPrimary", NULL::text AS "type", NULL::text AS "status", NULL::date AS "expiresOn"
      FROM addresses WHERE client_id = ${client.id}::uuid
    UNION ALL
    SELECT 'identifier', NULL, type::text, status::text, expires_on FROM identifiers WHERE client_id = ${client.id}::uuid
    UNION ALL
    SELECT 'document', NULL, type::text, status::text, expires_on FROM documents WHERE client_id = ${client.id}::uuid`;
  const addresses: Array<ClientSnapshot['addresses'][number]> = [];
  const identifiers: Array<ClientSnapshot['identifiers'][number]> = [];
  const documents: Array<ClientSnapshot['documents'][number]> = [];
  for (const row of rows) {
    if (row.list === 'address') addresses.push({ isPrimary: row.isPrimary! });
    else if (row.list === 'identifier') identifiers.push({ type: row.type as IdentifierType, status: row.status as IdentifierStatus, expiresOn: row.expiresOn });
    else documents.push({ type: row.type as DocumentType, status: row.status as DocumentStatus, expiresOn: row.expiresOn });
  }
  return { ...client, addresses, identifiers, documents };
}

/** One child of the client as loadClientSnapshotInTransaction reads it: which list, and that list's fields. */
interface ChildRow {
  list: 'address' | 'identifier' | 'document';
  isPrimary: boolean | null;
  type: string | null;
  status: string | null;
  expiresOn: Date | null;
}
