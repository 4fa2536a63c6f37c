import { randomUUID } from 'node:crypto';
import { Prisma } from '../../src/generated/prisma/client';
import { ClientChanges, ClientLifecycle } from '../../src/modules/clients/client-changes';
import { decideCreate } from '../../src/modules/verification/lifecycle';
import type { Actor } from '../../src/shared/actor';
import { invalidStatus } from '../../src/shared/result';
import { createClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

const staff: Actor = { kind: 'staff', mayCorrectIdentityFacts: false };

/** A change's final write: the unit of work runs it with the client's write, or first when the lifecycle asks. */
describe('the final write a change leaves to the unit of work', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  const prisma = () => t.app.database.prisma;
  const mailingAddress = (clientId: string) => Prisma.sql`
    INSERT INTO addresses (id, client_id, type, is_primary, line1, city, postal_code, country_code, created_at)
    VALUES (${randomUUID()}::uuid, ${clientId}::uuid, 'MAILING', false, '1 Side Street', 'Springfield', '12345', 'US', now())`;

  /** A unit of work whose after-change hook counts the client's addresses, running the final write first or not. */
  function changesCounting(writeFirst: boolean, seen: number[]) {
    const lifecycle: ClientLifecycle = {
      created: decideCreate(),
      async afterChange({ tx, after, writeFinalNow }) {
        if (writeFirst) await writeFinalNow();
        const [counted] = await tx.$queryRaw<Array<{ count: number }>>`SELECT count(*)::int AS count FROM addresses WHERE client_id = ${after.id}::uuid`;
        seen.push(counted.count);
        return { ok: true };
      },
    };
    return new ClientChanges(t.app.database, lifecycle, () => new Date());
  }

  it.each([
    ['with the client and its history, in one statement', false, 0, 3],
    ['first, when the after-change hook asks before it reads', true, 1, 4],
  ])('runs it %s', async (_, writeFirst, addressesSeenByHook, statementsExpected) => {
    // given a client
    const { id, version } = await createClient(t);
    const seen: number[] = [];
    const statements: string[] = [];
    // only the change's statements: the outbox dispatcher (woken by the commit above, swept on a
    // timer) is stopped while they are counted
    await t.app.outbox.settled();
    await t.app.outbox.stop();
    const stopListening = t.app.database.onStatement((sql) => statements.push(sql));

    // when a change leaves an address insert as its final write
    const result = await changesCounting(writeFirst, seen).apply(staff, id, async () => ({
      ok: true,
      value: undefined,
      events: [{ type: 'ADDRESS_ADDED' }],
      finalWrite: mailingAddress(id),
    }));
    stopListening();
    t.app.outbox.start();

    // then the write is done, once, with the version bump and the event; the hook saw it only if it asked
    expect(result.ok && result.value.client.version).toBe(version + 1);
    expect(await prisma().address.count({ where: { clientId: id } })).toBe(1);
    expect(seen).toEqual([addressesSeenByHook]);
    // lock, (the write on its own,) the hook's count, the client with history and write, commit
    expect(statements).toHaveLength(statementsExpected + 1);
    const events = await prisma().clientEvent.findMany({ where: { clientId: id }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['CLIENT_CREATED', 'ADDRESS_ADDED']);
  });

  it('runs it when the change records nothing else', async () => {
    const { id, version } = await createClient(t);
    const result = await changesCounting(false, []).apply(staff, id, async () => ({ ok: true, value: undefined, events: [], finalWrite: mailingAddress(id) }));
    expect(result.ok && result.value.client.version).toBe(version);
    expect(await prisma().address.count({ where: { clientId: id } })).toBe(1);
  });

  it('rolls it back, once run, when the after-change hook refuses the change', async () => {
    const { id } = await createClient(t);
    const lifecycle: ClientLifecycle = {
      created: decideCreate(),
      async afterChange({ before, writeFinalNow }) {
        await writeFinalNow();
        return { ok: false, failure: invalidStatus(before, ['VERIFIED'], 'refused for the test') };
      },
    };
    const result = await new ClientChanges(t.app.database, lifecycle, () => new Date()).apply(staff, id, async () => ({
      ok: true,
      value: undefined,
      events: [{ type: 'ADDRESS_ADDED' }],
      finalWrite: mailingAddress(id),
    }));
    expect(result.ok).toBe(false);
    expect(await prisma().address.count({ where: { clientId: id } })).toBe(0);
  });
});
