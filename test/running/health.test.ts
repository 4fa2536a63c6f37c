import { TestApp, startTestApp } from '../support/test-app';

/** Probes for load balancers and orchestrators: no token, JSON, 200 or 503 with every check listed. */
describe('health probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const probe = async (path: string) => {
    const response = await fetch(`${t.url}${path}`);
    return { status: response.status, body: (await response.json()) as { status: string; checks?: Array<{ name: string; status: string; detail?: string }> } };
  };

  it('answer liveness at /health/live and /health without a token', async () => {
    for (const path of ['/health/live', '/health']) {
      expect(await probe(path)).toEqual({ status: 200, body: { status: 'ok' } });
    }
  });

  it('answer readiness at /health/ready and /ready, listing the database, its migrations and the outbox dispatcher', async () => {
    for (const path of ['/health/ready', '/ready']) {
      expect(await probe(path)).toEqual({
        status: 200,
        body: {
          status: 'ready',
          checks: [{ name: 'database', status: 'ok' }, { name: 'migrations', status: 'ok' }, { name: 'outbox dispatcher', status: 'ok' }],
        },
      });
    }
  });

  it('are not ready while a migration this release ships is missing from the database, and ready again once it is applied', async () => {
    // given the database forgets the newest migration it applied
    const prisma = t.app.database.prisma;
    const [newest] = await prisma.$queryRawUnsafe<Array<{ id: string; migration_name: string }>>(
      'SELECT id, migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1',
    );
    await prisma.$executeRawUnsafe('UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE id = $1', newest.id);
    try {
      // then readiness is 503 and names it
      const before = await probe('/health/ready');
      expect(before.status).toBe(503);
      expect(before.body.status).toBe('unavailable');
      expect(before.body.checks).toEqual([
        { name: 'database', status: 'ok' },
        { name: 'migrations', status: 'failing', detail: `1 migration(s) not applied: ${newest.migration_name}` },
        { name: 'outbox dispatcher', status: 'ok' },
      ]);
    } finally {
      await prisma.$executeRawUnsafe('UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE id = $1', newest.id);
    }
    // and once it is applied again, ready
    expect((await probe('/health/ready')).status).toBe(200);
  });

  it('include checks registered by other parts of the server, failing ones and ones that hang', async () => {
    // given a worker that reports itself stopped, and one that never answers
    let workerRunning = false;
    t.app.health.register({ name: 'worker', check: async () => workerRunning || 'not running' });
    let hanging = true;
    t.app.health.register({ name: 'slow-worker', check: () => (hanging ? new Promise<boolean>(() => undefined) : Promise.resolve(true)) });

    // then readiness is 503, within the probe timeout, naming both
    const started = Date.now();
    const failing = await probe('/health/ready');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(failing.status).toBe(503);
    expect(failing.body.checks).toEqual(
      expect.arrayContaining([
        { name: 'worker', status: 'failing', detail: 'not running' },
        { name: 'slow-worker', status: 'failing', detail: expect.stringMatching(/^no answer within \d+ ms$/) },
      ]),
    );

    // and ready once both recover
    workerRunning = true;
    hanging = false;
    expect(await probe('/health/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});
