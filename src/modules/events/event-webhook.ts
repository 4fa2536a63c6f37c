import { postSignedJson } from '../../shared/webhook';
import type { DeliveryOutcome, OutboxDelivery, OutboxTopicHandler } from './outbox-dispatcher';

/** The outbox topic of history events for integrators (filled by the trigger on client_events). */
export const CLIENT_EVENT_TOPIC = 'CLIENT_EVENT';

/** What an integrator receives: one history event, its non-personal detail in `data`. */
export interface ClientEventMessage {
  id: string;
  type: string;
  clientId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * POSTs each history event to EVENT_WEBHOOK_URL as JSON, signed with EVENT_WEBHOOK_SECRET
 * (`X-Onboarding-Signature: sha256=<hex>`) and named by `X-Onboarding-Event-Id` for deduplication.
 */
export class EventWebhook implements OutboxTopicHandler {
  readonly topic = CLIENT_EVENT_TOPIC;
  readonly queuedBy = 'all' as const;

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async deliver(delivery: OutboxDelivery): Promise<DeliveryOutcome> {
    const body = JSON.stringify(eventMessage(delivery.payload as unknown as ClientEventMessage));
    await postSignedJson(this.url, body, { secret: this.secret, timeoutMs: this.timeoutMs, headers: { 'x-onboarding-event-id': delivery.id } });
    return { kind: 'delivered' };
  }
}

/** The payload's fields in a fixed order (the database keeps JSON keys in its own). */
function eventMessage({ id, type, clientId, occurredAt, data }: ClientEventMessage): ClientEventMessage {
  return { id, type, clientId, occurredAt, data };
}
