import { createHmac } from 'node:crypto';
import type { ContactChannel } from '../../generated/prisma/enums';

/** One one-time code on its way to the client's email or phone. */
export interface ContactCodeMessage {
  event: 'contact_verification_code';
  clientId: string;
  channel: ContactChannel;
  /** The email address or E.164 phone number to send to. */
  to: string;
  code: string;
  expiresAt: string;
}

/** The port a real email or SMS provider plugs into. */
export interface ContactDelivery {
  deliver(message: ContactCodeMessage): Promise<void>;
}

export class ContactDeliveryError extends Error {
  override name = 'ContactDeliveryError';
}

/** Development default: one JSON line per code on standard output. */
export class LogContactDelivery implements ContactDelivery {
  constructor(private readonly out: { write(line: string): unknown } = process.stdout) {}

  async deliver(message: ContactCodeMessage): Promise<void> {
    this.out.write(`${JSON.stringify(message)}\n`);
  }
}

/**
 * POSTs the message as JSON to a configured URL. With a secret, the body's HMAC-SHA256 is sent in
 * `X-Onboarding-Signature: sha256=<hex>` so the receiver can check it came from this server.
 */
export class WebhookContactDelivery implements ContactDelivery {
  constructor(
    private readonly url: string,
    private readonly secret: string | null,
    private readonly timeoutMs: number,
  ) {}

  async deliver(message: ContactCodeMessage): Promise<void> {
    const body = JSON.stringify(message);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.secret) headers['x-onboarding-signature'] = `sha256=${createHmac('sha256', this.secret).update(body).digest('hex')}`;
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new ContactDeliveryError(`contact webhook unreachable: ${(error as Error).message}`);
    }
    if (!response.ok) throw new ContactDeliveryError(`contact webhook answered HTTP ${response.status}`);
  }
}
