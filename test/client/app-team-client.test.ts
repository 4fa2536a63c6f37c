import { Client, fetchExchange } from '@urql/core';
import { ClientJourneyDocument } from './gql/graphql';
import { createAppTeamClient, runOnboardingJourney } from './journey';
import { expectCompleteJourney } from './journey-expectations';
import { randomSsn } from '../support/fixtures';
import { TestApp, startTestApp, testToken } from '../support/test-app';

// Every request needs a bearer token (README, "Access control"); the journey verifies and activates,
// so it runs as staff with every scope.
let authorization: string;
beforeAll(async () => {
  authorization = `Bearer ${await testToken()}`;
});

describe('an app team’s typed client (urql + client preset) runs the onboarding journey over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('takes a client to ACTIVE at PARTIAL, narrowing every union result, with queries as POST', async () => {
    const methods: string[] = [];
    const api = createAppTeamClient({
      baseUrl: t.url,
      headers: { authorization },
      fetch: (input, init) => (methods.push(init?.method ?? 'GET'), fetch(input, init)),
    });

    const report = await runOnboardingJourney(api, { ssn: randomSsn(), codeFor: (clientId, channel) => t.delivery.lastCode(clientId, channel) });

    expectCompleteJourney(report);
    expect(methods).toEqual(Array(10).fill('POST'));
  });

  it('runs the same journey with queries sent as GET with the apollo-require-preflight header', async () => {
    const gets: Array<Headers> = [];
    const api = createAppTeamClient({
      baseUrl: t.url,
      headers: { authorization },
      queriesOverGet: true,
      fetch: (input, init) => {
        if (init?.method === 'GET') gets.push(new Headers(init.headers));
        return fetch(input, init);
      },
    });

    const report = await runOnboardingJourney(api, {
      ssn: randomSsn(),
      person: { email: 'grace@example.com', mobilePhone: '+14155550111' },
      codeFor: (clientId, channel) => t.delivery.lastCode(clientId, channel),
    });

    expectCompleteJourney(report);
    expect(gets).toHaveLength(1);
    expect(gets[0].get('apollo-require-preflight')).toBe('true');
  });
});

describe('GET and the server’s CSRF prevention', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const getUrl = (query: string, variables: Record<string, unknown>) =>
    `${t.url}/graphql?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`;
  const query = 'query Probe($id: ID!) { client(id: $id) { id } }';
  const variables = { id: '00000000-0000-4000-8000-000000000000' };

  it('refuses a plain GET, which a browser would send cross-site without asking', async () => {
    const response = await fetch(getUrl(query, variables), { headers: { authorization } });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('apollo-require-preflight');
  });

  it('answers a GET that carries apollo-require-preflight', async () => {
    const response = await fetch(getUrl(query, variables), { headers: { authorization, 'apollo-require-preflight': 'true' } });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { client: null } });
  });

  it('answers a content-type: application/json POST with no extra header', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { client: null } });
  });

  it('fails through urql when it sends a GET without the header (its default for short queries)', async () => {
    // preferGetMethod is left at its default, 'within-url-limit'.
    const careless = new Client({ url: `${t.url}/graphql`, exchanges: [fetchExchange], fetchOptions: { headers: { authorization } } });

    const result = await careless.query(ClientJourneyDocument, { id: variables.id, reviewQueueSize: 1 }).toPromise();

    expect(result.data).toBeUndefined();
    expect(result.error?.message).toMatch(/apollo-require-preflight|CSRF|preflight/i);
  });
});
