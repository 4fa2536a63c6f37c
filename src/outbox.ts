import type { Config } from './config';
import type { Sql } from './db/sql';
import type { Logger } from './logger';
import { ContactCodeSender, ContactCodeVault } from './modules/contacts/contact-code-outbox';
import type { ContactDelivery } from './modules/contacts/contact-delivery';
import { MAX_FAILED_TRIES } from './modules/contacts/contact-verification.service';
import { CLIENT_EVENT_TOPIC, EventWebhook } from './modules/events/event-webhook';
import { OutboxDispatcher, OutboxTopicHandler } from './modules/events/outbox-dispatcher';
import type { KeyRing } from './shared/keys';

export interface OutboxDependencies {
  /** The database's raw SQL on the driver (Database.sql): the dispatcher runs after every commit. */
  sql: Sql;
  config: Pick<Config, 'eventWebhook' | 'outboxSweepIntervalMs' | 'contactDelivery'>;
  keys: KeyRing;
  contactDelivery: ContactDelivery;
  clock: () => Date;
  logger: Logger;
}

/**
 * The outbox dispatcher of one app, with a handler per topic: codes always (through the contact
 * delivery), events when EVENT_WEBHOOK_URL is set (otherwise the sweep discards them).
 */
export function createOutboxDispatcher({ sql, config, keys, contactDelivery, clock, logger }: OutboxDependencies): OutboxDispatcher {
  const handlers: OutboxTopicHandler[] = [new ContactCodeSender(contactDelivery, new ContactCodeVault(keys), clock, MAX_FAILED_TRIES)];
  if (config.eventWebhook) handlers.push(new EventWebhook(config.eventWebhook.url, config.eventWebhook.secret, config.eventWebhook.timeoutMs));
  const contactTimeoutMs = config.contactDelivery.kind === 'webhook' ? config.contactDelivery.timeoutMs : 0;
  const longestDeliveryMs = Math.max(config.eventWebhook?.timeoutMs ?? 0, contactTimeoutMs);
  return new OutboxDispatcher(sql, {
    handlers,
    unservedTopics: config.eventWebhook ? [] : [CLIENT_EVENT_TOPIC],
    logger: logger.child({ component: 'outbox' }),
    sweepIntervalMs: config.outboxSweepIntervalMs,
    // Longer than any delivery may take, so another instance never takes over one still under way.
    leaseMs: Math.max(30_000, 2 * longestDeliveryMs + 10_000),
  });
}
