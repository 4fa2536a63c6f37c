import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookError, postSignedJson, webhookSignature } from '../../src/shared/webhook';

/** postSignedJson, the one HTTP client of both webhooks (contact codes, client events). */
describe('signed webhook POSTs', () => {
  let server: Server;
  let url: string;
  let handle: (req: IncomingMessage, res: ServerResponse, body: string) => void;
  const sockets = new Set<unknown>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      sockets.add(req.socket);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the exact body, its signature and the extra headers, and resolves on 2xx', async () => {
    let seen: { body: string; signature?: string; type?: string; id?: string; length?: string } | null = null;
    handle = (req, res, body) => {
      seen = { body, signature: req.headers['x-onboarding-signature'] as string, type: req.headers['content-type'], id: req.headers['x-onboarding-event-id'] as string, length: req.headers['content-length'] };
      res.writeHead(204).end();
    };
    const body = JSON.stringify({ event: 'x', name: 'Zoë ✓' });
    await postSignedJson(url, body, { secret: 's3cret', timeoutMs: 2000, headers: { 'x-onboarding-event-id': 'e1' } });
    expect(seen).toEqual({ body, signature: webhookSignature('s3cret', body), type: 'application/json', id: 'e1', length: String(Buffer.byteLength(body)) });
  });

  it('reuses one connection for deliveries one after another', async () => {
    handle = (_req, res) => res.writeHead(200).end('ok');
    sockets.clear();
    for (let i = 0; i < 3; i++) await postSignedJson(url, '{}', { secret: null, timeoutMs: 2000 });
    expect(sockets.size).toBe(1);
  });

  it('delivers a batch at once, each on its own connection, none waiting for a socket', async () => {
    // given a receiver that answers only once 25 requests are open together
    const open: ServerResponse[] = [];
    handle = (_req, res) => {
      open.push(res);
      if (open.length === 25) for (const waiting of open) waiting.writeHead(200).end();
    };
    // then 25 deliveries sent together all succeed within a timeout shorter than any queueing
    await expect(Promise.all(Array.from({ length: 25 }, () => postSignedJson(url, '{}', { secret: null, timeoutMs: 3000 })))).resolves.toHaveLength(25);
  });

  it('fails on a non-2xx answer, and does not follow a redirect', async () => {
    handle = (_req, res) => res.writeHead(500).end('no');
    await expect(postSignedJson(url, '{}', { secret: null, timeoutMs: 2000 })).rejects.toThrow(new WebhookError('webhook answered HTTP 500'));
    let redirected = 0;
    handle = (req, res) => {
      if (req.url === '/elsewhere') redirected += 1;
      res.writeHead(302, { location: '/elsewhere' }).end();
    };
    await expect(postSignedJson(url, '{}', { secret: null, timeoutMs: 2000 })).rejects.toThrow('webhook answered HTTP 302');
    expect(redirected).toBe(0);
  });

  it('gives up on a receiver that does not answer within the timeout, and on one that answers too slowly', async () => {
    handle = () => undefined; // never answers
    const started = Date.now();
    await expect(postSignedJson(url, '{}', { secret: null, timeoutMs: 300 })).rejects.toThrow(/^webhook unreachable: no answer within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
    handle = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
      // the rest never comes
    };
    await expect(postSignedJson(url, '{}', { secret: null, timeoutMs: 300 })).rejects.toThrow(/unreachable/);
  });

  it('says a receiver that cannot be reached, or a URL that is not http(s), is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(postSignedJson(`http://127.0.0.1:${port}/`, '{}', { secret: null, timeoutMs: 2000 })).rejects.toThrow(/^webhook unreachable: .*ECONNREFUSED/);
    await expect(postSignedJson('ftp://127.0.0.1/x', '{}', { secret: null, timeoutMs: 2000 })).rejects.toThrow(WebhookError);
  });
});
