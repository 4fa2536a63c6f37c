import type { ContactDelivery } from '../../src/modules/contacts/contact-delivery';
import { ContactChannel, RequestContactVerificationDocument } from '../generated/graphql';
import { TestApp, startTestApp } from './test-app';
export { freePort } from './ports';

/** Asks for a code and returns the answer together with the code that was delivered. */
export async function requestCode(t: TestApp, clientId: string, channel: ContactChannel) {
  const { requestContactVerification: result } = await t.run(RequestContactVerificationDocument, { input: { clientId, channel } });
  if (result.__typename !== 'ContactVerificationRequested') throw new Error(`requestContactVerification: ${JSON.stringify(result)}`);
  return { result, code: await t.delivery.lastCode(clientId, channel) };
}

/** A well-formed 6-digit code that is not `code`. */
export function otherCode(code: string, step = 1): string {
  return String((Number(code) + step) % 1_000_000).padStart(6, '0');
}

/** An app like startTestApp's, but delivering codes through `contactDelivery` (the real adapters). */
export type DeliveryTestApp = TestApp;

export function startAppWithDelivery(contactDelivery: ContactDelivery): Promise<DeliveryTestApp> {
  return startTestApp({ contactDelivery });
}

