import DataLoader from 'dataloader';
import type { Address, Client, ClientEvent, Document, Identifier } from '../generated/prisma/client';
import type { Sql } from '../db/sql';
import type { ClientChildren } from '../modules/verification/client-snapshot';
import { ADDRESS_COLUMNS, CLIENT_COLUMNS, CLIENT_EVENT_COLUMNS, DOCUMENT_COLUMNS, LISTED_IDENTIFIER_COLUMNS, rowsOfClients } from '../db/rows';

/** An identifier as lists show it: everything but the encrypted value. */
export type IdentifierListed = Omit<Identifier, 'valueEncrypted'>;

/**
 * Per-request batch loaders: every nested list of every client in a response is fetched with one
 * statement per list type, whatever the number of clients.
 */
export interface Loaders {
  client: DataLoader<string, Client | null>;
  /** The same lists as a snapshot source for the verification rules (Client.missingRequirements). */
  children: ClientChildren;
  /**
   * A client's list: already at hand when a page loaded it ahead (`prefetch`), so the field is
   * answered without a promise; otherwise through its batch loader.
   */
  listOf<K extends ListKind>(kind: K, clientId: string): ClientLists[K] | Promise<ClientLists[K]>;
  /** Loads these lists of these clients now (one statement per kind), for `listOf` to answer at once. */
  prefetch(kinds: readonly ListKind[], clientIds: readonly string[]): Promise<void>;
  /** After a mutation, so the response shows the client's lists as they are now. */
  forgetClient(clientId: string): void;
}

export interface ClientLists {
  addresses: Address[];
  identifiers: IdentifierListed[];
  documents: Document[];
  history: ClientEvent[];
}

export type ListKind = keyof ClientLists;

/** The fields of Client that are lists of a client's rows, by name. */
export const LIST_KINDS: readonly ListKind[] = ['addresses', 'identifiers', 'documents', 'history'];

function groupBy<T extends { clientId: string }>(clientIds: readonly string[], rows: T[]): T[][] {
  const byClient = new Map<string, T[]>(clientIds.map((id) => [id, []]));
  for (const row of rows) byClient.get(row.clientId)?.push(row);
  return clientIds.map((id) => byClient.get(id) ?? []);
}

export function createLoaders(sql: Sql): Loaders {
  // Raw reads on the driver, in the models' shapes (src/db/rows.ts): these run for every page of clients.
  const client = new DataLoader<string, Client | null>(async (ids) => {
    const rows = await sql.$queryRaw<Client[]>`SELECT ${CLIENT_COLUMNS} FROM clients WHERE id = ANY(${[...ids]}::uuid[])`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  const lists: { [K in ListKind]: DataLoader<string, ClientLists[K]> } = {
    addresses: new DataLoader(async (ids) => groupBy(ids, await rowsOfClients<Address>(sql, 'addresses', ADDRESS_COLUMNS, ids))),
    // The ciphertext never leaves the vault; lists do not even read it.
    identifiers: new DataLoader(async (ids) => groupBy(ids, await rowsOfClients<IdentifierListed>(sql, 'identifiers', LISTED_IDENTIFIER_COLUMNS, ids))),
    documents: new DataLoader(async (ids) => groupBy(ids, await rowsOfClients<Document>(sql, 'documents', DOCUMENT_COLUMNS, ids))),
    history: new DataLoader(async (ids) => groupBy(ids, await rowsOfClients<ClientEvent>(sql, 'client_events', CLIENT_EVENT_COLUMNS, ids))),
  };
  // Lists a page loaded ahead, by kind and client id. Forgotten with the loaders' copies.
  const ready: { [K in ListKind]: Map<string, ClientLists[K]> } = { addresses: new Map(), identifiers: new Map(), documents: new Map(), history: new Map() };
  const listOf = <K extends ListKind>(kind: K, clientId: string): ClientLists[K] | Promise<ClientLists[K]> => ready[kind].get(clientId) ?? lists[kind].load(clientId);
  const prefetchOne = async <K extends ListKind>(kind: K, clientIds: readonly string[]) => {
    const loaded = await lists[kind].loadMany(clientIds);
    // A list that failed to load is left to its field, which reports the error in its place.
    clientIds.forEach((clientId, index) => {
      const list = loaded[index];
      if (!(list instanceof Error)) ready[kind].set(clientId, list);
    });
  };
  return {
    client,
    children: {
      addresses: async (clientId) => listOf('addresses', clientId),
      identifiers: async (clientId) => listOf('identifiers', clientId),
      documents: async (clientId) => listOf('documents', clientId),
    },
    listOf,
    async prefetch(kinds, clientIds) {
      if (clientIds.length > 0) await Promise.all(kinds.map((kind) => prefetchOne(kind, clientIds)));
    },
    forgetClient(clientId) {
      client.clear(clientId);
      for (const kind of LIST_KINDS) {
        lists[kind].clear(clientId);
        ready[kind].delete(clientId);
      }
    },
  };
}
