import { Prisma } from '../../generated/prisma/client';
import type { Client } from '../../generated/prisma/client';
import type { Tx } from '../../db/transaction';
import { CLIENT_COLUMNS, calendarDay } from '../../db/rows';

/** Locks the client's row until the transaction ends and reads it, in one statement; null when there is none. */
export async function lockClient(tx: Tx, clientId: string): Promise<Client | null> {
  const [client] = await tx.$queryRaw<Client[]>`SELECT ${CLIENT_COLUMNS} FROM clients WHERE id = ${clientId}::uuid FOR UPDATE`;
  return client ?? null;
}

/**
 * lockClient, reading `alongside` (an SQL expression, e.g. a scalar subquery over the client's
 * children) in the same statement. That statement reads from a snapshot taken before it got the
 * lock: when the lock waited for another change to commit, the locked row is newer than the row
 * the snapshot saw (its version moved) and `alongside` is read again, now that the row is locked.
 * Sound because every change to the client or its children bumps its version under this lock.
 */
export async function lockClientReading(tx: Tx, clientId: string, alongside: Prisma.Sql): Promise<{ client: Client; alongside: unknown } | null> {
  const [row] = await tx.$queryRaw<Array<Client & { versionSeen: number; alongside: unknown }>>`
    SELECT ${CLIENT_COLUMNS}, (SELECT version FROM clients WHERE id = ${clientId}::uuid) AS "versionSeen", ${alongside} AS "alongside"
      FROM clients WHERE id = ${clientId}::uuid FOR UPDATE`;
  if (!row) return null;
  const { versionSeen, alongside: read, ...client } = row;
  if (versionSeen === client.version) return { client, alongside: read };
  const [again] = await tx.$queryRaw<Array<{ alongside: unknown }>>`SELECT ${alongside} AS "alongside"`;
  return { client, alongside: again.alongside };
}

/** The history INSERT of a change (history.ts), to run in the same statement as the client's own write. */
export type EventsInsert = Prisma.Sql | null;

/** Inserts a new client and its history, in one statement; returns the row as stored. */
export async function insertClient(tx: Tx, client: Omit<Client, 'updatedAt'>, events: EventsInsert): Promise<Client> {
  const [created] = await tx.$queryRaw<Client[]>`
    WITH created AS (
      INSERT INTO clients (id, external_id, first_name, last_name, date_of_birth, email, email_verified, mobile_phone,
                           mobile_phone_verified, status, kyc_verification_type, verified_at, activated_at, created_at,
                           updated_at, version, reverification_required)
      VALUES (${client.id}::uuid, ${client.externalId}::text, ${client.firstName}::text, ${client.lastName}::text,
              ${calendarDay(client.dateOfBirth)}::date, ${client.email}::text, ${client.emailVerified}::boolean,
              ${client.mobilePhone}::text, ${client.mobilePhoneVerified}::boolean, ${client.status}::"ClientStatus",
              ${client.kycVerificationType}::"KycVerificationType", ${client.verifiedAt}::timestamptz,
              ${client.activatedAt}::timestamptz, ${client.createdAt}::timestamptz, ${client.createdAt}::timestamptz,
              ${client.version}::integer, ${client.reverificationRequired}::boolean)
      RETURNING ${CLIENT_COLUMNS}
    )${events ? Prisma.sql`, recorded AS (${events})` : Prisma.empty}
    SELECT * FROM created`;
  return created;
}

/**
 * Writes the client as `client` says (its row is locked: the values are the row as read plus the
 * change), bumps its version, appends the history and runs `alongside` (a change's final write, of
 * another table), in one statement; returns the row as stored.
 */
export async function writeClient(tx: Tx, client: Client, updatedAt: Date, events: EventsInsert, alongside: Prisma.Sql | null = null): Promise<Client> {
  const [written] = await tx.$queryRaw<Client[]>`
    WITH written AS (
      UPDATE clients
         SET external_id = ${client.externalId}::text, first_name = ${client.firstName}::text, last_name = ${client.lastName}::text,
             date_of_birth = ${calendarDay(client.dateOfBirth)}::date, email = ${client.email}::text,
             email_verified = ${client.emailVerified}::boolean, mobile_phone = ${client.mobilePhone}::text,
             mobile_phone_verified = ${client.mobilePhoneVerified}::boolean, status = ${client.status}::"ClientStatus",
             kyc_verification_type = ${client.kycVerificationType}::"KycVerificationType",
             verified_at = ${client.verifiedAt}::timestamptz, activated_at = ${client.activatedAt}::timestamptz,
             reverification_required = ${client.reverificationRequired}::boolean,
             version = version + 1, updated_at = ${updatedAt}::timestamptz
       WHERE id = ${client.id}::uuid
      RETURNING ${CLIENT_COLUMNS}
    )${events ? Prisma.sql`, recorded AS (${events})` : Prisma.empty}${alongside ? Prisma.sql`, alongside AS (${alongside})` : Prisma.empty}
    SELECT * FROM written`;
  return written;
}
