import { createHmac } from 'node:crypto';

/** `sha256=<hex HMAC-SHA256 of the exact body>`: what a receiver recomputes with the shared secret. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export class WebhookError extends Error {
  override name = 'WebhookError';
}

/**
 * POSTs a JSON body, signed in `X-Onboarding-Signature` when there is a secret. Resolves on a 2xx
 * answer; throws a WebhookError on any other answer, a timeout or no answer.
 */
export async function postSignedJson(
  url: string,
  body: string,
  { secret, timeoutMs, headers = {} }: { secret: string | null; timeoutMs: number; headers?: Record<string, string> },
): Promise<void> {
  const sent: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (secret) sent['x-onboarding-signature'] = webhookSignature(secret, body);
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: sent, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    throw new WebhookError(`webhook unreachable: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  // The answer's body is not needed; reading it frees the connection.
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new WebhookError(`webhook answered HTTP ${response.status}`);
}
