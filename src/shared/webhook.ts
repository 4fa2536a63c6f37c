import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/** `sha256=<hex HMAC-SHA256 of the exact body>`: what a receiver recomputes with the shared secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

/**
 * Keep-alive connections to webhook receivers (one pool per protocol): a journey sends two codes,
 * and Node's fetch (undici, web streams, an AbortSignal per call) cost ~4% of a mutation's CPU
 * where node:http costs a fraction of that. No cap on sockets, as with fetch: the outbox delivers
 * a claimed batch at once, and a request queued for a socket would spend its timeout waiting.
 */
const transports: Record<string, { request: typeof http.request; agent: http.Agent }> = {
  'http:': { request: http.request, agent: new http.Agent({ keepAlive: true }) },
  'https:': { request: https.request, agent: new https.Agent({ keepAlive: true }) },
};

/**
 * POSTs a JSON body, signed in `X-Onboarding-Signature` when there is a secret. Resolves on a 2xx
 * answer (its body read and dropped); throws a WebhookError on any other answer (redirects are
 * not followed: a receiver answers at its configured URL), on no whole answer within `timeoutMs`,
 * or when the receiver cannot be reached.
 */
export async function postSignedJson(
  url: string,
  body: string,
  { secret, timeoutMs, headers = {} }: { secret: string | null; timeoutMs: number; headers?: Record<string, string> },
): Promise<void> {
  const target = new URL(url);
  const transport = Object.hasOwn(transports, target.protocol) ? transports[target.protocol] : null;
  if (!transport) throw new WebhookError(`webhook unreachable: ${target.protocol} is not http: or https:`);
  const payload = Buffer.from(body, 'utf8');
  const sent: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': payload.length, ...headers };
  if (secret) sent['x-onboarding-signature'] = webhookSignature(secret, body);
  const status = await new Promise<number>((resolve, reject) => {
    const request = transport.request(target, { method: 'POST', headers: sent, agent: transport.agent }, (response) => {
      // The answer's body is not needed; reading it to the end frees the connection.
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', (error) => reject(unreachable(error)));
    });
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.once('close', () => clearTimeout(deadline));
    request.once('error', (error) => reject(unreachable(error)));
    request.end(payload);
  });
  if (status < 200 || status > 299) throw new WebhookError(`webhook answered HTTP ${status}`);
}

function unreachable(error: Error & { code?: string }): WebhookError {
  return new WebhookError(`webhook unreachable: ${error.message}${error.code && !error.message.includes(error.code) ? ` (${error.code})` : ''}`);
}
