import { requestCode } from '../support/contacts-helpers';
import { createClient } from '../support/fixtures';
import { onPostgres } from '../support/test-database';
import { TestApp, startTestApp, testToken } from '../support/test-app';

/** Prometheus /metrics: what operators chart, behind metrics:read on the main port or on METRICS_PORT alone. */
describe('/metrics on the main port', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const scrape = async (token: string | null) => {
    const response = await fetch(`${t.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
  };
  const series = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

  it('is refused without a token (401) and with a token lacking metrics:read (403)', async () => {
    expect((await scrape(null)).status).toBe(401);
    const staff = await testToken({ scopes: ['clients:read', 'clients:write'] });
    const refused = await scrape(staff);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'FORBIDDEN' } }] });
  });

  it('counts requests and latency by operation and outcome, typed errors by member, and the process', async () => {
    // given some traffic
    await t.post({ query: 'query CountClients { clients(first: 1) { totalCount } }' });
    await t.post({ query: 'query CountClients { clients(first: 1) { totalCount } }' });
    await t.post({ query: 'mutation CreateNameless { createClient(input: { firstName: "A", lastName: "" }) { __typename } }' });

    // then /metrics, read with metrics:read, shows it
    const { status, text, contentType } = await scrape(await testToken({ scopes: ['metrics:read'] }));
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain/);
    expect(text).toContain('onboarding_graphql_requests_total{operation="CountClients",outcome="ok"} 2');
    expect(text).toContain('onboarding_graphql_requests_total{operation="CreateNameless",outcome="ValidationError"} 1');
    expect(text).toMatch(/onboarding_graphql_request_duration_seconds_bucket\{le="0\.5",operation="CountClients",outcome="ok"\} \d/);
    expect(text).toContain('onboarding_graphql_typed_errors_total{member="ValidationError"} 1');
    expect(text).toContain('onboarding_outbox_backlog_events{topic="CLIENT_EVENT",status="DEAD"} 0');
    expect(series(text, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(series(text, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
    // and the PostgreSQL pool, when there is one
    if (onPostgres) {
      expect(text).toMatch(/onboarding_db_pool_connections\{state="total"\} [1-9]/);
      expect(text).toMatch(/onboarding_db_pool_waiting_requests \d/);
    } else {
      expect(text).not.toContain('onboarding_db_pool_connections');
    }
  });

  it('shows the outbox: deliveries by topic and outcome, and what is still waiting', async () => {
    // given a contact code delivered after commit
    const client = await createClient(t);
    await requestCode(t, client.id, 'EMAIL');

    // then the delivery is counted and nothing waits
    const { text } = await scrape(await testToken({ scopes: ['metrics:read'] }));
    expect(text).toContain('onboarding_outbox_deliveries_total{topic="CONTACT_CODE",outcome="delivered"} 1');
    expect(text).toContain('onboarding_outbox_deliveries_total{topic="CONTACT_CODE",outcome="failed"} 0');
    expect(text).toContain('onboarding_outbox_backlog_events{topic="CONTACT_CODE",status="PENDING"} 0');
    expect(text).toContain('onboarding_outbox_backlog_events{topic="CONTACT_CODE",status="DEAD"} 0');
  });

  it('keeps operation labels bounded when callers invent names', async () => {
    // given 130 requests, each with a new operation name, and some that never validate
    for (let i = 0; i < 130; i += 1) await t.post({ query: `query Invented${i}x${Math.random().toString(36).slice(2)} { __typename }` });
    await t.post({ query: 'query NoSuchField { noSuchField }' });
    await t.post({ query: `query ${'L'.repeat(500)} { __typename }` });

    // then at most 100 names are labels; the rest are "other", invalid operations "unknown"
    const { text } = await scrape(await testToken({ scopes: ['metrics:read'] }));
    const operations = new Set(series(text, 'onboarding_graphql_requests_total').map((line) => /operation="([^"]*)"/.exec(line)![1]));
    expect(operations.size).toBeLessThanOrEqual(103);
    expect(operations).toContain('other');
    expect(operations).toContain('unknown');
    expect(operations).not.toContain('NoSuchField');
    expect([...operations].every((name) => name.length <= 64)).toBe(true);
  });
});

describe('/metrics with METRICS_PORT', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ config: { metricsPort: 0 } });
  });
  afterAll(() => t.stop());

  it('is served on its own listener without a token, and not on the main port', async () => {
    expect(t.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const own = await fetch(t.app.metricsUrl!);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('# TYPE onboarding_graphql_requests_total counter');
    const main = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${await testToken()}` } });
    expect(main.status).toBe(404);
  });
});
