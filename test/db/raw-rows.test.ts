import { randomUUID } from 'node:crypto';
import { ActivateClientDocument, AddDocumentDocument, AddIdentifierDocument, VerifyClientDocument } from '../generated/graphql';
import { insertDocument, reviewDocument } from '../../src/modules/documents/document-rows';
import { insertAddress } from '../../src/modules/addresses/address-rows';
import { lockClient, lockClientReading, writeClient } from '../../src/modules/clients/client-rows';
import { insertUnlessHeld } from '../../src/modules/identifiers/identifier-rows';
import { childrenWithLock, loadClientSnapshotInTransaction } from '../../src/modules/verification/client-snapshot';
import { addPrimaryAddress, addSsn, createClient, pngBase64, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * The write path reads and writes some rows with raw statements (one where Prisma needs two); what
 * they return must be exactly what Prisma returns for the same row, every field and type.
 */
describe('rows as the write path\'s raw statements read and write them', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.stop());

  const prisma = () => t.app.database.prisma;

  it('reads a locked client exactly as Prisma reads it: a new one, and one with every field set', async () => {
    // given a new client with no optional fields, and an ACTIVE one with all of them
    const bare = await createClient(t, { email: null, mobilePhone: null });
    const full = await verifiableClient(t, { input: { externalId: `rows-${Date.now()}`, dateOfBirth: '1990-05-17' } });
    const verified = await t.run(VerifyClientDocument, { input: { clientId: full.id, kycVerificationType: 'PARTIAL' } });
    expect(verified.verifyClient.__typename).toBe('VerifyClientSuccess');
    const activated = await t.run(ActivateClientDocument, { input: { clientId: full.id } });
    expect(activated.activateClient.__typename).toBe('ActivateClientSuccess');

    for (const id of [bare.id, full.id]) {
      // when it is locked and read in one statement
      const locked = await t.app.database.transaction((tx) => lockClient(tx, id));
      // then it is the row Prisma reads, field for field and type for type
      const read = await prisma().client.findUniqueOrThrow({ where: { id } });
      expect(locked).toStrictEqual(read);
    }
    const active = await prisma().client.findUniqueOrThrow({ where: { id: full.id } });
    expect(active).toMatchObject({ status: 'ACTIVE', kycVerificationType: 'PARTIAL', emailVerified: true, mobilePhoneVerified: true });
    expect(active.dateOfBirth).toEqual(new Date('1990-05-17T00:00:00.000Z'));
    expect(active.verifiedAt).toBeInstanceOf(Date);
    expect(active.activatedAt).toBeInstanceOf(Date);
  });

  it('finds no client to lock for an id nobody has', async () => {
    await expect(t.app.database.transaction((tx) => lockClient(tx, '00000000-0000-4000-8000-000000000000'))).resolves.toBeNull();
  });

  it('writes a client back unchanged but for version and updatedAt, and returns it as Prisma reads it', async () => {
    // given a client with a date of birth
    const { id } = await createClient(t, { dateOfBirth: '2001-01-01', externalId: `rows-write-${Date.now()}` });
    const before = await prisma().client.findUniqueOrThrow({ where: { id } });
    const at = new Date(before.updatedAt.getTime() + 1000);

    // when the unit of work writes it with no change and no events
    const written = await t.app.database.transaction(async (tx) => writeClient(tx, (await lockClient(tx, id))!, at, null));

    // then only version and updatedAt moved, and the answer is the stored row
    expect(written).toStrictEqual({ ...before, version: before.version + 1, updatedAt: at });
    expect(await prisma().client.findUniqueOrThrow({ where: { id } })).toStrictEqual(written);
  });

  it('inserts an identifier as Prisma reads it, and nothing while an ACTIVE one holds the value under any key', async () => {
    // given a client
    const { id: clientId } = await createClient(t);
    const passport = (hash: string, otherHashes: string[] = []) => ({
      clientId,
      type: 'PASSPORT' as const,
      issuingCountry: 'GB',
      valueEncrypted: new Uint8Array([2, 0, 1, 2, 3]),
      hash: { keyId: 'k1', hash },
      otherHashes,
      last4: '6789',
      expiresOn: new Date('2099-12-31T00:00:00.000Z'),
      createdAt: new Date('2026-03-16T12:00:00.000Z'),
    });
    const held = `held-${Date.now()}`;

    // when one is inserted, then the same value again, then a value held under another key
    const inserted = await t.app.database.transaction((tx) => insertUnlessHeld(tx, passport(held)));
    const again = await t.app.database.transaction((tx) => insertUnlessHeld(tx, passport(held)));
    const underOtherKey = await t.app.database.transaction((tx) => insertUnlessHeld(tx, passport(`${held}-k2`, [held])));

    // then the first is the row Prisma reads, field for field and type for type, and the others insert nothing
    expect(inserted).toStrictEqual(await prisma().identifier.findUniqueOrThrow({ where: { id: inserted!.id } }));
    expect(inserted).toMatchObject({ status: 'ACTIVE', deactivatedAt: null, valueHash: held, expiresOn: new Date('2099-12-31T00:00:00.000Z') });
    expect(again).toBeNull();
    expect(underOtherKey).toBeNull();
    expect(await prisma().identifier.count({ where: { clientId } })).toBe(1);
  });

  it('reads the verification snapshot of a client in one statement, with the lock or not, as Prisma reads its children', async () => {
    // given a client with an address, an identifier without and one with an expiry, and a document with an expiry
    const client = await createClient(t);
    await addPrimaryAddress(t, client.id);
    await addSsn(t, client.id);
    const passport = await t.run(AddIdentifierDocument, {
      input: { clientId: client.id, type: 'PASSPORT', value: `P${Date.now()}`, issuingCountry: 'GB', expiresOn: '2099-12-31' },
    });
    expect(passport.addIdentifier.__typename).toBe('AddIdentifierSuccess');
    const document = await t.run(AddDocumentDocument, {
      input: { clientId: client.id, type: 'PASSPORT', fileName: 'p.png', contentType: 'image/png', contentBase64: pngBase64, expiresOn: '2098-06-30' },
    });
    expect(document.addDocument.__typename).toBe('AddDocumentSuccess');

    // when its snapshot is read inside a transaction
    const row = await prisma().client.findUniqueOrThrow({ where: { id: client.id } });
    const snapshot = await t.app.database.transaction((tx) => loadClientSnapshotInTransaction(tx, row));

    // then it holds the client and exactly the children Prisma reads, dates as Prisma gives them
    const byType = <T extends { type: string }>(list: readonly T[]) => [...list].sort((a, b) => a.type.localeCompare(b.type));
    const where = { where: { clientId: client.id } };
    expect(snapshot).toStrictEqual({
      ...row,
      addresses: await prisma().address.findMany({ ...where, select: { isPrimary: true } }),
      identifiers: expect.anything(),
      documents: expect.anything(),
    });
    expect(byType(snapshot.identifiers)).toStrictEqual(byType(await prisma().identifier.findMany({ ...where, select: { type: true, status: true, expiresOn: true } })));
    expect(byType(snapshot.documents)).toStrictEqual(await prisma().document.findMany({ ...where, select: { type: true, status: true, expiresOn: true } }));
    expect(snapshot.identifiers.map((identifier) => identifier.expiresOn)).toContainEqual(new Date('2099-12-31T00:00:00.000Z'));
    expect(snapshot.documents).toStrictEqual([{ type: 'PASSPORT', status: 'PENDING_REVIEW', expiresOn: new Date('2098-06-30T00:00:00.000Z') }]);

    // and read with the client's lock, in the locking statement, it is the same
    const locked = await t.app.database.transaction((tx) => lockClientReading(tx, client.id, childrenWithLock.expression(client.id)));
    expect({ ...locked!.client, ...childrenWithLock.parse(locked!.alongside) }).toStrictEqual(snapshot);
  });

  it('inserts an address as Prisma reads it; a primary one demotes the previous primary in the same statement', async () => {
    // given a client with a primary address
    const { id: clientId } = await createClient(t);
    const first = await addPrimaryAddress(t, clientId);
    const address = (isPrimary: boolean, line1: string) => ({
      clientId,
      type: 'RESIDENTIAL' as const,
      isPrimary,
      line1,
      line2: null,
      city: 'Springfield',
      region: 'IL',
      postalCode: '12345',
      countryCode: 'US',
      createdAt: new Date('2026-03-16T12:00:00.000Z'),
    });

    // when a second address that is not primary, then a primary one, are inserted
    const mailing = await t.app.database.transaction((tx) => insertAddress(tx, address(false, '2 Side Street')));
    const primary = await t.app.database.transaction((tx) => insertAddress(tx, address(true, '3 New Street')));

    // then each is the row Prisma reads; only the primary one replaced a primary, which is now the only one
    expect(mailing.replacedPrimary).toBe(false);
    expect(primary.replacedPrimary).toBe(true);
    for (const { address: inserted } of [mailing, primary]) {
      expect(inserted).toStrictEqual(await prisma().address.findUniqueOrThrow({ where: { id: inserted.id } }));
    }
    const primaries = await prisma().address.findMany({ where: { clientId, isPrimary: true } });
    expect(primaries.map((row) => row.id)).toEqual([primary.address.id]);
    expect(await prisma().address.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ isPrimary: false });
  });

  it('inserts and reviews a document as Prisma reads it, with and without an expiry', async () => {
    // given a client
    const { id: clientId } = await createClient(t);
    const document = (expiresOn: Date | null) => ({
      id: randomUUID(),
      clientId,
      type: 'PASSPORT' as const,
      fileName: 'passport.png',
      contentType: 'image/png',
      sizeBytes: 1234,
      sha256: 'a'.repeat(64),
      storageKey: `documents/${clientId}/rows`,
      expiresOn,
      createdAt: new Date('2026-03-16T12:00:00.000Z'),
    });

    // when two are recorded, and one is rejected
    const dated = await t.app.database.transaction((tx) => insertDocument(tx, document(new Date('2099-01-31T00:00:00.000Z'))));
    const undated = await t.app.database.transaction((tx) => insertDocument(tx, document(null)));
    const reviewedAt = new Date('2026-03-17T08:30:00.123Z');
    const rejected = await t.app.database.transaction((tx) => reviewDocument(tx, undated.id, { status: 'REJECTED', rejectionReason: 'Blurred', reviewedAt }));

    // then each answer is the row Prisma reads, field for field and type for type
    expect(dated).toStrictEqual(await prisma().document.findUniqueOrThrow({ where: { id: dated.id } }));
    expect(dated).toMatchObject({ status: 'PENDING_REVIEW', expiresOn: new Date('2099-01-31T00:00:00.000Z'), rejectionReason: null, reviewedAt: null });
    expect(rejected).toStrictEqual(await prisma().document.findUniqueOrThrow({ where: { id: undated.id } }));
    expect(rejected).toMatchObject({ status: 'REJECTED', rejectionReason: 'Blurred', reviewedAt, expiresOn: null });
  });
});
