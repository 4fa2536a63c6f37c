import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { testToken } from '../support/test-app';

/**
 * SIGTERM: requests already accepted are answered and the process exits 0; whatever hangs, it
 * exits 1 after SHUTDOWN_GRACE_MS, with a line saying what was still open.
 */
const GRACE_MS = 2000;

describe('shutdown on SIGTERM', () => {
  const dataDirs: string[] = [];
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const start = async (env: Record<string, string> = {}) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-shutdown-'));
    dataDirs.push(dataDir);
    const server = await startServerProcess({ DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: String(GRACE_MS), ...env }, { seedDatabase: true });
    servers.push(server);
    return server;
  };

  /** A GraphQL request whose body arrives in two parts: the first now, the rest when `finish` is called. */
  const requestInTwoParts = async (server: ServerProcess) => {
    const body = Buffer.from(JSON.stringify({ query: 'query Slow { clients(first: 1) { totalCount } }' }));
    const token = await testToken();
    const request = http.request(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request.once('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.once('end', () => resolve({ status: response.statusCode!, body: text }));
      });
      request.once('error', reject);
    });
    answered.catch(() => undefined);
    request.write(body.subarray(0, 10));
    // the server has the headers (and counts the request) before the test goes on
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { answered, finish: () => request.end(body.subarray(10)), abandon: () => request.destroy() };
  };

  it('answers a request accepted before the signal, then exits 0', async () => {
    // given a request in progress
    const server = await start();
    const slow = await requestInTwoParts(server);

    // when SIGTERM arrives, and then the rest of the request
    process.kill(server.pid, 'SIGTERM');
    await server.waitForLine((line) => line.msg === 'shutting down', '"shutting down" line');
    slow.finish();

    // then it is answered, and the process exits 0
    const answer = await slow.answered;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { clients: { totalCount: expect.any(Number) } } });
    expect(await server.exited).toBe(0);
  }, 120_000);

  it('stops cleanly on one SIGTERM outside NODE_ENV=test too: Apollo adds no signal handler of its own', async () => {
    // given a server in development mode (Apollo Server installs SIGTERM/SIGINT handlers unless
    // NODE_ENV is test; its handler re-sent the signal, which read as a second signal: exit 1)
    const server = await start({ NODE_ENV: 'development' });

    // when one SIGTERM arrives
    process.kill(server.pid, 'SIGTERM');

    // then the shutdown runs to the end and the process exits 0
    expect(await server.exited).toBe(0);
    expect(server.lines.some((line) => line.msg === 'second signal while shutting down: exiting now')).toBe(false);
  }, 120_000);

  it('exits 1 after SHUTDOWN_GRACE_MS while a request hangs, saying what was open', async () => {
    // given a request whose body never finishes
    const server = await start();
    const hanging = await requestInTwoParts(server);

    // when SIGTERM arrives
    const sent = Date.now();
    process.kill(server.pid, 'SIGTERM');

    // then the process exits 1 after the grace period, not before and not much after
    expect(await server.exited).toBe(1);
    const took = Date.now() - sent;
    expect(took).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(took).toBeLessThan(GRACE_MS + 5000);
    // and its last words name the open request and the step it was waiting on
    const last = server.lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('shutdown did not finish'));
    expect(last).toMatchObject({ level: 50, graceMs: GRACE_MS, openRequests: 1, waitingFor: ['requests'] });
    expect(last!.msg).toMatch(/still open: 1 open request\(s\); exiting$/);
    hanging.abandon();
  }, 120_000);
});
