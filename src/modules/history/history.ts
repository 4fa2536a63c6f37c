import { Prisma } from '../../generated/prisma/client';
import type { ClientStatus } from '../../generated/prisma/enums';
import type { Tx } from '../../db/transaction';

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

/** The one place history is written. Events of one change share its timestamp and keep their order. */
export async function recordEvents(tx: Tx, clientId: string, events: ClientEventDraft[], occurredAt: Date): Promise<void> {
  if (events.length === 0) return;
  await tx.clientEvent.createMany({
    data: events.map((event) => ({
      clientId,
      type: event.type,
      fromStatus: event.fromStatus ?? null,
      toStatus: event.toStatus ?? null,
      detail: event.detail ?? Prisma.DbNull,
      occurredAt,
    })),
  });
}
