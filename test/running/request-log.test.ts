import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { selfToken, testToken } from '../support/test-app';

/**
 * One JSON line per GraphQL request (and per document download) on standard output: request id, operation name, caller
 * subject, duration and outcome; never variables.
 */
describe('the request log', () => {
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'onboarding-request-log-'));
    server = await startServerProcess({ DATA_DIR: dataDir }, { seedDatabase: true });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  const send = async (body: unknown, headers: Record<string, string> = {}, token: string | null | undefined = undefined) => {
    const bearer = token === undefined ? await testToken() : token;
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const requestId = response.headers.get('x-request-id')!;
    await response.text();
    const line = await server.waitForLine((candidate) => candidate.msg === 'request' && candidate.requestId === requestId, `request line for ${requestId}`);
    return { status: response.status, requestId, line };
  };

  it('logs a query with the caller’s request id, operation name, subject, duration and ok', async () => {
    const { status, requestId, line } = await send({ query: 'query CountClients { clients(first: 1) { totalCount } }' }, { 'x-request-id': 'edge-7f3a.42' });
    expect(status).toBe(200);
    expect(requestId).toBe('edge-7f3a.42');
    expect(line).toMatchObject({ level: 30, requestId: 'edge-7f3a.42', operationName: 'CountClients', subject: 'test-staff', outcome: 'ok', status: 200 });
    expect(typeof line.durationMs).toBe('number');
  });

  it('names the union member of a typed error, and never logs variables', async () => {
    const { line } = await send({
      query: 'mutation CreateNameless($input: CreateClientInput!) { createClient(input: $input) { __typename } }',
      variables: { input: { firstName: 'Zebediah-Secret', lastName: '' } },
    });
    expect(line).toMatchObject({ operationName: 'CreateNameless', outcome: 'ValidationError', status: 200 });
    expect(JSON.stringify(server.lines)).not.toContain('Zebediah-Secret');
    expect(line).not.toHaveProperty('variables');
  });

  it('gives the error code of refused and malformed requests', async () => {
    const unauthenticated = await send({ query: 'query Anyone { clients(first: 1) { totalCount } }' }, {}, null);
    expect(unauthenticated.line).toMatchObject({ status: 401, outcome: 'UNAUTHENTICATED', operationName: null, subject: null });

    const self = await selfToken('6f1d7f7e-1b7a-4b55-9a63-3f3a6f0f8e11');
    const forbidden = await send({ query: 'query Everyone { clients(first: 1) { totalCount } }' }, {}, self);
    expect(forbidden.line).toMatchObject({ outcome: 'FORBIDDEN', operationName: 'Everyone', subject: '6f1d7f7e-1b7a-4b55-9a63-3f3a6f0f8e11' });

    const malformed = await send({ query: 'query Broken { clients(first: 1) { totalCount ' });
    expect(malformed.line).toMatchObject({ status: 400, outcome: 'GRAPHQL_PARSE_FAILED', operationName: null });
  });

  it('logs document downloads too, as DocumentDownload (here a forged link, refused)', async () => {
    const response = await fetch(`${server.url}/documents/6f1d7f7e-1b7a-4b55-9a63-3f3a6f0f8e11/content?expires=9999999999&signature=forged`, {
      headers: { 'x-request-id': 'download-1' },
    });
    await response.text();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers.get('x-request-id')).toBe('download-1');
    const line = await server.waitForLine((candidate) => candidate.msg === 'request' && candidate.requestId === 'download-1', 'download request line');
    expect(line).toMatchObject({ operationName: 'DocumentDownload', status: response.status, subject: null });
  });

  it('replaces an x-request-id that is too long or not a plain token with a generated one', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const given of ['x'.repeat(10_000), '<script>alert(1)</script>', 'a b', '"},{"level":60', '']) {
      const { requestId, line } = await send({ query: '{ __typename }' }, { 'x-request-id': given });
      expect(requestId).toMatch(uuid);
      expect(line.requestId).toBe(requestId);
    }
  });
});
