import type { ContactChannel } from '../../generated/prisma/enums';
import { postSignedJson } from '../../shared/webhook';

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
    await postSignedJson(this.url, JSON.stringify(message), { secret: this.secret, timeoutMs: this.timeoutMs });
  }
}
