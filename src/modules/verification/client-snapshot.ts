import { Prisma } from '../../generated/prisma/client';
import type { Client } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import type { ReadWithLock } from '../clients/client-changes';
import type { ClientSnapshot } from './requirements';

/**
 * Where a snapshot's children come from when a query reads them: a request's loaders. A change
 * reads them in its transaction (what is about to be committed): with the client's lock
 * (`childrenWithLock`) or after its own writes (`loadClientSnapshotInTransaction`). The
 * verification rules see the same shape whichever path asks.
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

/** The children of a snapshot, without the client. */
export type SnapshotChildren = Pick<ClientSnapshot, 'addresses' | 'identifiers' | 'documents'>;

/**
 * The client's children as the verification rules read them, as one SQL expression (JSON text):
 * what a change reads with the client's lock (`childrenWithLock`) or on its own.
 */
function childrenExpression(clientId: string): Prisma.Sql {
  return Prisma.sql`(SELECT json_build_object(
    'addresses', (SELECT coalesce(json_agg(json_build_object('isPrimary', is_primary)), '[]') FROM addresses WHERE client_id = ${clientId}::uuid),
    'identifiers', (SELECT coalesce(json_agg(json_build_object('type', type, 'status', status, 'expiresOn', expires_on)), '[]')
                      FROM identifiers WHERE client_id = ${clientId}::uuid),
    'documents', (SELECT coalesce(json_agg(json_build_object('type', type, 'status', status, 'expiresOn', expires_on)), '[]')
                    FROM documents WHERE client_id = ${clientId}::uuid)
  )::text)`;
}

/** The children from childrenExpression's JSON: dates (JSON's "YYYY-MM-DD") as Prisma gives a date column, UTC midnight. */
function parseChildren(value: unknown): SnapshotChildren {
  type Dated<T> = Omit<T, 'expiresOn'> & { expiresOn: string | null };
  const json = JSON.parse(String(value)) as {
    addresses: SnapshotChildren['addresses'];
    identifiers: Array<Dated<SnapshotChildren['identifiers'][number]>>;
    documents: Array<Dated<SnapshotChildren['documents'][number]>>;
  };
  const day = (date: string | null) => (date === null ? null : new Date(`${date}T00:00:00.000Z`));
  return {
    addresses: json.addresses,
    identifiers: json.identifiers.map((identifier) => ({ ...identifier, expiresOn: day(identifier.expiresOn) })),
    documents: json.documents.map((document) => ({ ...document, expiresOn: day(document.expiresOn) })),
  };
}

/** The snapshot's children read in the statement that locks the client (ClientChanges.apply's readWithLock). */
export const childrenWithLock: ReadWithLock<SnapshotChildren> = { expression: childrenExpression, parse: parseChildren };

/**
 * The client and its children as they stand inside a change's transaction (the client row is
 * locked, the change applied), the three lists read in one statement.
 */
export async function loadClientSnapshotInTransaction(tx: Tx, client: Client): Promise<ClientSnapshot> {
  const [row] = await tx.$queryRaw<Array<{ children: string }>>`SELECT ${childrenExpression(client.id)} AS "children"`;
  return { ...client, ...parseChildren(row.children) };
}
