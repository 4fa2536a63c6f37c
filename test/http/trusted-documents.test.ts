import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { sha256Hex } from '../../src/http/trusted-documents';
import { createAppTeamClient, runOnboardingJourney } from '../client/journey';
import { expectCompleteJourney } from '../client/journey-expectations';
import { configProblems } from '../support/configuration';
import { randomSsn } from '../support/fixtures';
import { SERVER_ENTRY } from '../support/server-process';
import { TestApp, startTestApp, testToken } from '../support/test-app';

// The manifest GraphQL Code Generator's client preset writes for the app-team client (npm test
// regenerates it before jest runs).
const MANIFEST = path.resolve(__dirname, '..', 'client', 'gql', 'persisted-documents.json');
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;

/** The manifest entry holding the operation of that name. */
function trusted(operation: string): { key: string; hash: string; text: string } {
  const found = Object.entries(manifest).find(([, text]) => new RegExp(`\\b(query|mutation) ${operation}\\b`).test(text));
  if (!found) throw new Error(`${operation} is not in ${MANIFEST}`);
  return { key: found[0], hash: found[0].replace(/^sha256:/, ''), text: found[1] };
}

const trustedDocuments = (only: boolean) => loadConfig({ TRUSTED_DOCUMENTS_FILE: MANIFEST, TRUSTED_DOCUMENTS_ONLY: String(only) }).trustedDocuments;

const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const journeyVariables = { id: MISSING_ID, reviewQueueSize: 1 };
const AD_HOC = 'query AdHoc($id: ID!) { client(id: $id) { id firstName } }';

interface RawResponse {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

// Every request needs a bearer token (README, "Access control"): staff with every scope here.
let authorization: string;
beforeAll(async () => {
  authorization = `Bearer ${await testToken()}`;
});

/** Sends with the staff token unless the headers say otherwise; the body as it came back. */
async function raw(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { ...init, headers: { authorization, ...(init.headers as Record<string, string>) }, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  let body: RawResponse['body'];
  try {
    body = JSON.parse(text) as RawResponse['body'];
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, body };
}

const postJson = (t: TestApp, body: unknown) =>
  raw(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

const getWith = (t: TestApp, params: Array<[string, string]>) =>
  raw(`${t.url}/graphql?${new URLSearchParams(params)}`, { headers: { 'apollo-require-preflight': 'true' } });

const errorCodes = (response: RawResponse) => (response.body.errors ?? []).map((error) => error.extensions?.code);

/** Watches what the urql client sends. */
function recordingFetch(sent: Array<{ method: string; url: string; body: Record<string, unknown> | undefined }>): typeof fetch {
  return async (input, init) => {
    sent.push({ method: init?.method ?? 'GET', url: String(input), body: init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : undefined });
    return fetch(input, init);
  };
}

describe('TRUSTED_DOCUMENTS_FILE: clients may send a document’s hash instead of its text', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { trustedDocuments: trustedDocuments(false) } });
  });
  afterAll(() => t.stop());

  it('runs the whole journey with hashes only, no operation text on the wire', async () => {
    const sent: Parameters<typeof recordingFetch>[0] = [];
    const api = createAppTeamClient({ baseUrl: t.url, headers: { authorization }, documents: 'hash', fetch: recordingFetch(sent) });

    const report = await runOnboardingJourney(api, { ssn: randomSsn(), codeFor: (clientId, channel) => t.delivery.lastCode(clientId, channel) });

    expectCompleteJourney(report);
    expect(sent).toHaveLength(10);
    for (const request of sent) {
      expect(request.method).toBe('POST');
      expect(request.body).not.toHaveProperty('query');
      const hash = (request.body?.extensions as { persistedQuery: { sha256Hash: string } }).persistedQuery.sha256Hash;
      expect(manifest).toHaveProperty([`sha256:${hash}`]);
    }
  });

  it.each([
    ['documentId <hash>', (hash: string) => hash],
    ['documentId sha256:<hash>', (hash: string) => `sha256:${hash}`],
  ])('accepts %s, in a POST body and in a GET query string', async (_shape, documentId) => {
    const { hash } = trusted('ClientJourney');

    const posted = await postJson(t, { documentId: documentId(hash), variables: journeyVariables });
    const got = await getWith(t, [['documentId', documentId(hash)], ['variables', JSON.stringify(journeyVariables)]]);

    for (const response of [posted, got]) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ data: { client: null, documentsAwaitingReview: expect.objectContaining({ totalCount: expect.any(Number) }) } });
    }
  });

  it('accepts the APQ shape over GET, as urql sends it with preferGetMethod', async () => {
    const { hash } = trusted('ClientJourney');

    const response = await getWith(t, [
      ['operationName', 'ClientJourney'],
      ['variables', JSON.stringify(journeyVariables)],
      ['extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } })],
    ]);

    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ client: null });
  });

  it.each([
    ['extensions.persistedQuery', (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })],
    ['documentId', (hash: string) => ({ documentId: `sha256:${hash}` })],
  ])('answers an unknown hash in %s with PERSISTED_QUERY_NOT_FOUND, HTTP 200 as Apollo Server does', async (_shape, request) => {
    const response = await postJson(t, { ...request(sha256Hex('query Unknown { __typename }')), variables: {} });

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');
    expect(response.body).toEqual({ errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
  });

  it('lets nobody register a document: Apollo’s own automatic persisted queries are off', async () => {
    const text = 'query Registered { __typename }';
    const hash = sha256Hex(text);

    const registering = await postJson(t, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    const replaying = await postJson(t, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

    expect(errorCodes(registering)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(errorCodes(replaying)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it.each<[string, (t: TestApp, hash: string) => Promise<Response>]>([
    ['in a POST body', (t, hash) => fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentId: hash, variables: journeyVariables }) })],
    // The landing page needs no token; a GET naming a document is not a landing-page request,
    // whatever its Accept header says.
    ['in a GET that also accepts HTML', (t, hash) =>
      fetch(`${t.url}/graphql?${new URLSearchParams({ documentId: hash, variables: JSON.stringify(journeyVariables) })}`, {
        headers: { accept: 'application/json, text/html', 'apollo-require-preflight': 'true' },
      })],
  ])('still needs a bearer token for a hash sent %s', async (_how, send) => {
    const response = await send(t, trusted('ClientJourney').hash);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('still runs other operations when TRUSTED_DOCUMENTS_ONLY is not set', async () => {
    const response = await postJson(t, { query: AD_HOC, variables: { id: MISSING_ID } });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { client: null } });
  });
});

describe('TRUSTED_DOCUMENTS_ONLY=true: nothing but the manifest runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { trustedDocuments: trustedDocuments(true), bodyLimitBytes: 2 * 1024 * 1024 } });
  });
  afterAll(() => t.stop());

  it('runs the app-team journey by hashes, its query sent as GET', async () => {
    const sent: Parameters<typeof recordingFetch>[0] = [];
    const api = createAppTeamClient({ baseUrl: t.url, headers: { authorization }, documents: 'hash', queriesOverGet: true, fetch: recordingFetch(sent) });

    const report = await runOnboardingJourney(api, { ssn: randomSsn(), codeFor: (clientId, channel) => t.delivery.lastCode(clientId, channel) });

    expectCompleteJourney(report);
    const get = sent.filter((request) => request.method === 'GET');
    expect(get).toHaveLength(1);
    expect(new URL(get[0].url).searchParams.has('query')).toBe(false);
  });

  it('refuses an ad-hoc query with one OPERATION_NOT_TRUSTED error, HTTP 400', async () => {
    const response = await postJson(t, { query: AD_HOC, variables: { id: MISSING_ID } });

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ errors: [{ message: expect.stringContaining('trusted'), extensions: { code: 'OPERATION_NOT_TRUSTED' } }] });
  });

  it('refuses the text-only typed client, whose printed text is not byte-for-byte the manifest’s', async () => {
    const api = createAppTeamClient({ baseUrl: t.url, headers: { authorization } });

    await expect(runOnboardingJourney(api, { ssn: randomSsn(), codeFor: () => '000000' })).rejects.toThrow(/only runs trusted documents/);
  });

  it('accepts the full text of a document in the manifest, exactly as the manifest holds it', async () => {
    const response = await postJson(t, { query: trusted('ClientJourney').text, variables: journeyVariables });

    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({ client: null });
  });

  describe('cannot be got around', () => {
    const { hash, text } = trusted('ClientJourney');
    const variables = journeyVariables;

    it.each<[string, (t: TestApp) => Promise<RawResponse>, number, string]>([
      ['a batch with an ad-hoc operation beside a trusted one', (t) => postJson(t, [{ documentId: hash, variables }, { query: AD_HOC, variables: { id: MISSING_ID } }]), 400, 'OPERATION_NOT_TRUSTED'],
      ['an ad-hoc query over GET', (t) => getWith(t, [['query', AD_HOC], ['variables', JSON.stringify({ id: MISSING_ID })]]), 400, 'OPERATION_NOT_TRUSTED'],
      ['the query parameter twice over GET, trusted first', (t) => getWith(t, [['query', text], ['query', AD_HOC], ['variables', JSON.stringify(variables)]]), 400, 'BAD_REQUEST'],
      ['a documentId with a different query', (t) => postJson(t, { documentId: hash, query: AD_HOC, variables }), 400, 'BAD_REQUEST'],
      ['a persistedQuery hash with a different query', (t) => postJson(t, { query: AD_HOC, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }), 400, 'BAD_REQUEST'],
      ['a documentId and a persistedQuery naming different documents', (t) => postJson(t, { documentId: hash, variables, extensions: { persistedQuery: { version: 1, sha256Hash: trusted('ActivateClient').hash } } }), 400, 'BAD_REQUEST'],
      ['a persistedQuery of another version', (t) => postJson(t, { variables, extensions: { persistedQuery: { version: 2, sha256Hash: hash } } }), 400, 'BAD_REQUEST'],
      ['the hash in upper case', (t) => postJson(t, { documentId: hash.toUpperCase(), variables }), 200, 'PERSISTED_QUERY_NOT_FOUND'],
      ['the APQ hash in upper case', (t) => postJson(t, { variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash.toUpperCase() } } }), 200, 'PERSISTED_QUERY_NOT_FOUND'],
      ['an upper-case prefix', (t) => postJson(t, { documentId: `SHA256:${hash}`, variables }), 200, 'PERSISTED_QUERY_NOT_FOUND'],
      ['a trusted text with a trailing space', (t) => postJson(t, { query: `${text} `, variables }), 400, 'OPERATION_NOT_TRUSTED'],
      ['a query that is not a string', (t) => postJson(t, { query: { kind: 'Document', definitions: [] }, variables }), 400, 'OPERATION_NOT_TRUSTED'],
      ['a text/plain body', (t) => raw(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', 'apollo-require-preflight': 'true' }, body: JSON.stringify({ query: AD_HOC }) }), 400, 'OPERATION_NOT_TRUSTED'],
      ['a huge ad-hoc query (1.5 MB)', (t) => postJson(t, { query: `query Huge { __typename ${'__typename '.repeat(140_000)}}` }), 400, 'OPERATION_NOT_TRUSTED'],
      ['a body over the size limit', (t) => postJson(t, { query: `query Huger { ${'__typename '.repeat(300_000)}}` }), 413, 'BAD_REQUEST'],
    ])('refuses %s', async (_what, send, status, code) => {
      const response = await send(t);

      expect(response.status).toBe(status);
      expect(response.body.data).toBeUndefined();
      expect(errorCodes(response)).toEqual([code]);
    });

    it('refuses a batch of trusted operations too, since batching is off (nothing runs)', async () => {
      const response = await postJson(t, [{ documentId: hash, variables }, { documentId: hash, variables }]);

      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).not.toContain('"data"');
    });

    it('refuses a trusted mutation sent as GET (Apollo Server runs mutations from POST only)', async () => {
      const response = await getWith(t, [['documentId', trusted('ActivateClient').hash], ['variables', JSON.stringify({ input: { clientId: MISSING_ID } })]]);

      expect(response.status).toBe(405);
      expect(response.body.data).toBeUndefined();
    });
  });
});

describe('a bad manifest refuses to start, with a clear message', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'trusted-documents-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const writeManifest = (name: string, content: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const tampered = () => {
    const [key, text] = Object.entries(manifest)[0];
    return writeManifest('tampered.json', JSON.stringify({ ...manifest, [key]: text.replace('{', '{ firstName ') }));
  };

  it.each<[string, () => Record<string, string>, RegExp]>([
    ['a missing file', () => ({ TRUSTED_DOCUMENTS_FILE: path.join(dir, 'nowhere.json') }), /TRUSTED_DOCUMENTS_FILE: cannot read .*nowhere\.json \(ENOENT\)/],
    ['a file that is not JSON', () => ({ TRUSTED_DOCUMENTS_FILE: writeManifest('broken.json', '{"sha256:') }), /TRUSTED_DOCUMENTS_FILE: .*broken\.json is not JSON/],
    ['a JSON array', () => ({ TRUSTED_DOCUMENTS_FILE: writeManifest('array.json', '["query { __typename }"]') }), /TRUSTED_DOCUMENTS_FILE: .*must be a JSON object of "sha256:<hash>": "<document>" entries/],
    ['an empty manifest', () => ({ TRUSTED_DOCUMENTS_FILE: writeManifest('empty.json', '{}') }), /TRUSTED_DOCUMENTS_FILE: .*holds no documents/],
    ['a hash that does not match its text', () => ({ TRUSTED_DOCUMENTS_FILE: tampered() }), /TRUSTED_DOCUMENTS_FILE: .*tampered\.json: entry "sha256:[0-9a-f]{64}": the hash does not match its document text/],
    ['a key that is not a hash', () => ({ TRUSTED_DOCUMENTS_FILE: writeManifest('md5.json', JSON.stringify({ [`md5:${'a'.repeat(32)}`]: 'query { __typename }' })) }), /entry "md5:a+": not a SHA-256 hash/],
    ['a text that is not GraphQL', () => ({ TRUSTED_DOCUMENTS_FILE: writeManifest('prose.json', JSON.stringify({ [`sha256:${sha256Hex('hello')}`]: 'hello' })) }), /not a GraphQL document \(Syntax Error/],
    ['TRUSTED_DOCUMENTS_ONLY without a file', () => ({ TRUSTED_DOCUMENTS_ONLY: 'true' }), /TRUSTED_DOCUMENTS_ONLY: needs TRUSTED_DOCUMENTS_FILE/],
    ['TRUSTED_DOCUMENTS_ONLY that is not a boolean', () => ({ TRUSTED_DOCUMENTS_FILE: MANIFEST, TRUSTED_DOCUMENTS_ONLY: 'strict' }), /TRUSTED_DOCUMENTS_ONLY: expected true or false/],
  ])('refuses %s', (_what, env, message) => {
    expect(configProblems(env())).toMatch(message);
  });

  it('reports manifest problems together with the other settings', () => {
    expect(configProblems({ PORT: 'eighty', TRUSTED_DOCUMENTS_FILE: tampered() })).toMatch(/PORT:[\s\S]*TRUSTED_DOCUMENTS_FILE:/);
  });

  it('defaults to no trusted documents, and to not only trusted ones', () => {
    expect(loadConfig({}).trustedDocuments).toBeNull();
    expect(trustedDocuments(false)).toMatchObject({ only: false });
    expect(trustedDocuments(false)?.byHash.size).toBe(Object.keys(manifest).length);
  });

  it('the built server exits with status 1 and says why', () => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(DATABASE_URL|DATA_DIR|DATA_ENCRYPTION_KEY|NODE_OPTIONS|TRUSTED_DOCUMENTS_)/.test(name)));
    const run = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { ...inherited, NODE_ENV: 'test', DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', TRUSTED_DOCUMENTS_FILE: tampered(), TRUSTED_DOCUMENTS_ONLY: 'true' },
      encoding: 'utf8',
      timeout: 30_000,
    });

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^Invalid configuration:\n {2}- TRUSTED_DOCUMENTS_FILE: .*tampered\.json: entry "sha256:[0-9a-f]{64}": the hash does not match its document text/);
  });
});
