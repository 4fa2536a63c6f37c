import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client';
import type { ClientStatus } from '../../generated/prisma/enums';

/** One entry of a client's append-only history, before it is written. */
export interface ClientEventDraft {
  type: ClientEventType;
  fromStatus?: ClientStatus;
  toStatus?: ClientStatus;
  /** Non-personal facts only (ids, types, codes): history is read widely and kept forever. */
  detail?: Prisma.InputJsonObject;
}

/** Every type a history entry can have: the GraphQL enum ClientEventType. */
export const CLIENT_EVENT_TYPES = [
  'CLIENT_CREATED',
  'CLIENT_UPDATED',
  'ADDRESS_ADDED',
  'ADDRESS_REMOVED',
  'IDENTIFIER_ADDED',
  'IDENTIFIER_DEACTIVATED',
  'DOCUMENT_ADDED',
  'DOCUMENT_ACCEPTED',
  'DOCUMENT_REJECTED',
  'CONTACT_VERIFICATION_REQUESTED',
  'EMAIL_VERIFIED',
  'MOBILE_PHONE_VERIFIED',
  'CLIENT_VERIFIED',
  'CLIENT_ACTIVATED',
  'VERIFICATION_REVOKED',
  'REVERIFICATION_REQUIRED',
] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

/**
 * The one place history is written: the INSERT of a change's events, which the unit of work runs in
 * the statement that bumps the client's version (client-rows.ts). Events of one change share its
 * timestamp and keep their order (rows are numbered by `seq` in the order they are listed). A raw
 * INSERT, so the outbox trigger on client_events fires as for any insert.
 */
export function eventsInsert(clientId: string, events: readonly ClientEventDraft[], occurredAt: Date): Prisma.Sql {
  const rows = events.map(
    (event) => Prisma.sql`(${randomUUID()}::uuid, ${clientId}::uuid, ${event.type}::text, ${event.fromStatus ?? null}::"ClientStatus",
      ${event.toStatus ?? null}::"ClientStatus", ${event.detail === undefined ? null : JSON.stringify(event.detail)}::jsonb, ${occurredAt}::timestamptz)`,
  );
  return Prisma.sql`INSERT INTO client_events (id, client_id, type, from_status, to_status, detail, occurred_at) VALUES ${Prisma.join(rows)}`;
}
