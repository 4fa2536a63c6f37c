/**
 * Key rotation: identifiers written under key a stay readable and unique while b is put in front,
 * `keys:rotate` moves them to b in batches, and afterwards a ring of b alone is enough.
 */
import { AddIdentifierDocument, AddIdentifierMutation, DeactivateIdentifierDocument } from '../generated/graphql';
import { IdentifierVault } from '../../src/modules/identifiers/identifier-values';
import { KeyRing } from '../../src/shared/keys';
import { ROTATION_STEP_TIMEOUT_MS, SHARED_DATABASE_KIND, rotationFromAToB } from '../support/data-keys';
import { createClient, randomSsn } from '../support/fixtures';
import { TestApp } from '../support/test-app';
import { onPostgres } from '../support/test-database';

type AddAnswer = AddIdentifierMutation['addIdentifier'];

describe(`rotating from key a to key b on ${SHARED_DATABASE_KIND}`, () => {
  const { a, b, start, rotate } = rotationFromAToB();
  const addSsnTo = async (t: TestApp, clientId: string, value: string): Promise<AddAnswer> =>
    (await t.run(AddIdentifierDocument, { input: { clientId, type: 'SSN', value } })).addIdentifier;
  const addToNewClient = async (t: TestApp, value: string) => addSsnTo(t, (await createClient(t)).id, value);
  /** Every stored identifier: its key ids and its value, decrypted with the given ring. */
  async function stored(t: TestApp, ring: KeyRing) {
    const vault = new IdentifierVault(ring);
    const rows = await t.app.database.prisma.identifier.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      hashKey: row.valueHashKeyId,
      cipherKey: vault.keyIdOf(row.valueEncrypted),
      value: vault.decrypt(row.type, row.valueEncrypted),
      hash: row.valueHash,
    }));
  }
  const digits = (ssn: string) => ssn.replace(/-/g, '');

  // Values added under a, kept across the steps below.
  const underA = Array.from({ length: 7 }, () => randomSsn());
  let inactiveUnderA: string;
  let duplicateAnswerUnderOneKey: AddAnswer;

  it('1. under key a alone: identifiers are written with a, and a duplicate is refused', async () => {
    const t = await start([a]);
    for (const value of underA) expect((await addToNewClient(t, value)).__typename).toBe('AddIdentifierSuccess');
    // one identifier deactivated: rotation re-keys it too, and its value is free again
    inactiveUnderA = randomSsn();
    const inactive = await addToNewClient(t, inactiveUnderA);
    if (inactive.__typename !== 'AddIdentifierSuccess') throw new Error(JSON.stringify(inactive));
    await t.run(DeactivateIdentifierDocument, { id: inactive.identifier.id });

    duplicateAnswerUnderOneKey = await addToNewClient(t, underA[0]);
    expect(duplicateAnswerUnderOneKey).toMatchObject({ __typename: 'DuplicateIdentifierError', identifierType: 'SSN' });
    const rows = await stored(t, KeyRing.fromSecrets([a]));
    expect(rows.every((row) => row.hashKey === 'a' && row.cipherKey === 'a')).toBe(true);
    await t.stop();
  }, ROTATION_STEP_TIMEOUT_MS);

  it('2. with b in front of a: old identifiers decrypt, new ones go under b, duplicates are caught across keys', async () => {
    const t = await start([b, a]);

    // old identifiers are still under a and decrypt with the ring
    const before = await stored(t, KeyRing.fromSecrets([b, a]));
    expect(before.filter((row) => row.status === 'ACTIVE').map((row) => row.value)).toEqual(underA.map(digits));
    expect(before.every((row) => row.hashKey === 'a' && row.cipherKey === 'a')).toBe(true);

    // a value held under a is refused under b, with exactly the same answer as under one key
    expect(await addToNewClient(t, underA[0])).toEqual(duplicateAnswerUnderOneKey);
    expect(await addToNewClient(t, underA[1].replace(/-/g, ''))).toEqual(duplicateAnswerUnderOneKey);
    // the deactivated one is free again
    expect((await addToNewClient(t, inactiveUnderA)).__typename).toBe('AddIdentifierSuccess');

    // a new value is stored under b, and refused again under b
    const fresh = randomSsn();
    expect((await addToNewClient(t, fresh)).__typename).toBe('AddIdentifierSuccess');
    expect(await addToNewClient(t, fresh)).toEqual(duplicateAnswerUnderOneKey);
    const row = (await stored(t, KeyRing.fromSecrets([b, a]))).find((r) => r.value === digits(fresh))!;
    expect(row).toMatchObject({ hashKey: 'b', cipherKey: 'b' });

    // two adds of one value at once: one succeeds
    const racing = randomSsn();
    const answers = await Promise.all([addToNewClient(t, racing), addToNewClient(t, racing)]);
    expect(answers.map((answer) => answer.__typename).sort()).toEqual(['AddIdentifierSuccess', 'DuplicateIdentifierError']);
    await t.stop();
  }, ROTATION_STEP_TIMEOUT_MS);

  (onPostgres ? it : it.skip)('3. two servers at once, one writing with a and one with b: the same value added on both at once succeeds once', async () => {
    const writesB = await start([b, a]);
    const writesA = await start([a, b]);
    for (let round = 0; round < 12; round += 1) {
      const value = randomSsn();
      const [first, second] = await Promise.all([createClient(writesB), createClient(writesA)]);
      const answers = await Promise.all([addSsnTo(writesB, first.id, value), addSsnTo(writesA, second.id, value)]);
      expect(answers.map((answer) => answer.__typename).sort()).toEqual(['AddIdentifierSuccess', 'DuplicateIdentifierError']);
      expect(answers.find((answer) => answer.__typename === 'DuplicateIdentifierError')).toEqual(duplicateAnswerUnderOneKey);
    }
    // and each refuses what the other wrote
    const [underB, underAOnly] = [randomSsn(), randomSsn()];
    expect((await addToNewClient(writesB, underB)).__typename).toBe('AddIdentifierSuccess');
    expect((await addToNewClient(writesA, underAOnly)).__typename).toBe('AddIdentifierSuccess');
    expect(await addToNewClient(writesA, underB)).toEqual(duplicateAnswerUnderOneKey);
    expect(await addToNewClient(writesB, underAOnly)).toEqual(duplicateAnswerUnderOneKey);
    await writesA.stop();
    await writesB.stop();
  }, ROTATION_STEP_TIMEOUT_MS);

  it('4. keys:rotate re-keys everything under a to b in batches, reporting progress and what remains', async () => {
    // PGlite is one process's database, so the tool runs between servers there; on PostgreSQL a
    // server keeps serving (and adding) while it runs.
    const serving = onPostgres ? await start([b, a]) : undefined;
    const duringRotation = randomSsn();
    const [rotation, added] = await Promise.all([
      rotate([b, a], ['--batch-size', '3']),
      serving ? addToNewClient(serving, duringRotation) : undefined,
    ]);
    expect(rotation.stderr).toBe('');
    expect(rotation.code).toBe(0);
    expect(rotation.stdout).toMatch(/^re-keyed 3\/\d+ identifiers$/m);
    expect(rotation.stdout).toMatch(/^0 identifier\(s\) and 0 document key\(s\) remain under key a: a may be dropped from DATA_ENCRYPTION_KEYS$/m);
    if (added) expect(added.__typename).toBe('AddIdentifierSuccess');
    const total = Number(/re-keyed 3\/(\d+)/.exec(rotation.stdout)![1]);
    expect(rotation.stdout).toContain(`re-keyed ${total}/${total} identifiers`);
    await serving?.stop();

    // afterwards everything is under b: readable with b alone
    const t = await start([b, a]);
    const rows = await stored(t, KeyRing.fromSecrets([b]));
    expect(rows.length).toBeGreaterThan(underA.length);
    expect(rows.every((row) => row.hashKey === 'b' && row.cipherKey === 'b')).toBe(true);
    expect(rows.filter((row) => row.status === 'ACTIVE').map((row) => row.value)).toEqual(expect.arrayContaining(underA.map(digits)));

    // running it again finds nothing to do
    await t.stop();
    const again = await rotate([b, a]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Done: re-keyed 0 identifier(s) to key b.');
  }, ROTATION_STEP_TIMEOUT_MS);

  it('5. with b alone: the server starts, and values first written under a are still refused', async () => {
    const t = await start([b]);
    for (const value of underA) expect(await addToNewClient(t, value)).toEqual(duplicateAnswerUnderOneKey);
    expect((await addToNewClient(t, randomSsn())).__typename).toBe('AddIdentifierSuccess');
    await t.stop();
  }, ROTATION_STEP_TIMEOUT_MS);
});
