import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered it with. */
  status: number;
  receivedAt: number;
}

/**
 * A real local HTTP receiver standing in for an integrator's endpoint or an email/SMS provider:
 * records every POST and answers with what `answer` says (status, and how long to take).
 */
export interface WebhookReceiver {
  url: string;
  readonly received: ReceivedPost[];
  /** Decides each answer; by default 200 at once. */
  answer: (post: Omit<ReceivedPost, 'status' | 'receivedAt'>) => { status: number; delayMs?: number };
  /** Resolves with the posts once `matches` holds for them; rejects after `timeoutMs`. */
  waitFor(matches: (received: ReceivedPost[]) => boolean, what: string, timeoutMs?: number): Promise<ReceivedPost[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedPost[] = [];
  const waiters = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: '',
    received,
    answer: () => ({ status: 200 }),
    waitFor(matches, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!matches(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: no ${what} within ${timeoutMs} ms; received ${received.length} post(s)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const post = { path: req.url ?? '', headers: req.headers, body };
      const { status, delayMs = 0 } = receiver.answer(post);
      setTimeout(() => {
        received.push({ ...post, status, receivedAt: Date.now() });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'receiver exploded: secret-internal-detail');
        for (const wake of [...waiters]) wake();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
