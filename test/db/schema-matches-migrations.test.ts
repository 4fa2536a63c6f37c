import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SqlSession, applyMigrations } from '../../src/db/migrations';
import { Prisma, PrismaClient } from '../../src/generated/prisma/client';
import { DatabaseTarget, EmptyDatabase, databaseTargets } from './empty-database';
import { Dmmf, DmmfField, DmmfModel, getDmmf } from './prisma-dmmf';

/**
 * The migrations must build exactly the database the Prisma client expects: a model changed
 * without a migration (or a migration without the model change) fails here, on a real database.
 * Expectations come from Prisma's own DMMF of the schema the generated client was built from.
 */

/** The schema text the generated client was built from (Prisma keeps it in the client's config). */
function generatedClientSchema(prisma: PrismaClient): string {
  const schema = (prisma as unknown as { _engineConfig?: { inlineSchema?: unknown } })._engineConfig?.inlineSchema;
  if (typeof schema !== 'string') throw new Error('the generated Prisma client no longer exposes its schema; update this test');
  return schema;
}

const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'prisma', 'schema.prisma');

/** Rules Prisma's schema language cannot express, created by hand in the migration SQL. */
const HAND_WRITTEN_INDEXES = [
  'addresses_one_primary_per_client ON addresses (client_id) UNIQUE WHERE is_primary',
  `identifiers_one_active_per_value ON identifiers (value_hash) UNIQUE WHERE (status = 'ACTIVE'::"IdentifierStatus")`,
  `documents_awaiting_review ON documents (created_at, id) WHERE (status = 'PENDING_REVIEW'::"DocumentStatus")`,
  `outbox_events_pending ON outbox_events (topic, seq) WHERE (status = 'PENDING'::"OutboxStatus")`,
];

// Defaults Prisma computes in the client, not in the database.
const CLIENT_SIDE_DEFAULTS = ['uuid', 'cuid', 'nanoid', 'ulid'];

const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (field: DmmfField) => field.dbName ?? field.name;

/** The PostgreSQL type Prisma's migrate would create for a field (format_type spelling). */
function expectedType(field: DmmfField, dmmf: Dmmf): string {
  if (field.kind === 'enum') {
    const dmmfEnum = dmmf.datamodel.enums.find((e) => e.name === field.type)!;
    return `enum ${dmmfEnum.dbName ?? dmmfEnum.name}`;
  }
  const [native, args] = field.nativeType ?? [null, []];
  const withArgs = (name: string) => (args.length ? `${name}(${args.join(',')})` : name);
  const key = `${field.type}:${native ?? ''}`;
  const types: Record<string, () => string> = {
    'String:': () => 'text',
    'String:Text': () => 'text',
    'String:Uuid': () => 'uuid',
    'String:Char': () => withArgs('character'),
    'String:VarChar': () => withArgs('character varying'),
    'Int:': () => 'integer',
    'Int:Integer': () => 'integer',
    'Int:SmallInt': () => 'smallint',
    'BigInt:': () => 'bigint',
    'BigInt:BigInt': () => 'bigint',
    'Boolean:': () => 'boolean',
    'Bytes:': () => 'bytea',
    'Float:': () => 'double precision',
    'Decimal:': () => 'numeric(65,30)',
    'Decimal:Decimal': () => withArgs('numeric'),
    'Json:': () => 'jsonb',
    'Json:Json': () => 'json',
    'DateTime:': () => 'timestamp(3) without time zone',
    'DateTime:Timestamp': () => `timestamp(${args[0] ?? 3}) without time zone`,
    'DateTime:Timestamptz': () => `timestamp(${args[0] ?? 3}) with time zone`,
    'DateTime:Date': () => 'date',
  };
  const type = types[key];
  if (!type) throw new Error(`no PostgreSQL type known for ${field.name}: ${key}; teach expectedType`);
  return type() + (field.isList ? '[]' : '');
}

const referentialAction: Record<string, string> = { c: 'Cascade', r: 'Restrict', a: 'NoAction', n: 'SetNull', d: 'SetDefault' };

/** What the migrated database should hold, as sorted lines that read well in a failure diff. */
function expectationsFrom(dmmf: Dmmf) {
  const models = dmmf.datamodel.models;
  const modelByName = new Map(models.map((model) => [model.name, model]));
  const columnsOf = (model: DmmfModel, names: string[]) => names.map((name) => columnOf(model.fields.find((f) => f.name === name)!));

  const tables = models.map(tableOf).sort();
  const columns = models
    .flatMap((model) =>
      model.fields
        .filter((field) => field.kind === 'scalar' || field.kind === 'enum')
        .map((field) => {
          const dbDefault =
            field.hasDefaultValue && !(typeof field.default === 'object' && field.default !== null && 'name' in field.default && CLIENT_SIDE_DEFAULTS.includes(field.default.name));
          return `${tableOf(model)}.${columnOf(field)} ${expectedType(field, dmmf)} ${field.isRequired ? 'NOT NULL' : 'NULL'}${dbDefault ? ' DEFAULT' : ''}`;
        }),
    )
    .sort();
  const enums = dmmf.datamodel.enums.map((e) => `${e.dbName ?? e.name} (${e.values.map((v) => v.dbName ?? v.name).join(', ')})`).sort();
  const indexes = dmmf.datamodel.indexes
    .map((index) => {
      const model = modelByName.get(index.model)!;
      const table = tableOf(model);
      const cols = columnsOf(model, index.fields.map((f) => f.name));
      const suffix = { id: 'pkey', unique: 'key', normal: 'idx', fulltext: 'idx' }[index.type];
      const name = index.dbName ?? (index.type === 'id' ? `${table}_pkey` : `${table}_${cols.join('_')}_${suffix}`);
      const kind = { id: ' PRIMARY KEY', unique: ' UNIQUE', normal: '', fulltext: '' }[index.type];
      return `${name} ON ${table} (${cols.join(', ')})${kind}`;
    })
    .concat(HAND_WRITTEN_INDEXES)
    .sort();
  const foreignKeys = models
    .flatMap((model) =>
      model.fields
        .filter((field) => field.kind === 'object' && field.relationFromFields && field.relationFromFields.length > 0)
        .map((field) => {
          const target = modelByName.get(field.type)!;
          const from = columnsOf(model, field.relationFromFields!);
          const to = columnsOf(target, field.relationToFields!);
          const onDelete = field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull');
          const onUpdate = field.relationOnUpdate ?? 'Cascade';
          return `${tableOf(model)}_${from.join('_')}_fkey: ${tableOf(model)} (${from.join(', ')}) -> ${tableOf(target)} (${to.join(', ')}) ON DELETE ${onDelete} ON UPDATE ${onUpdate}`;
        }),
    )
    .sort();
  return { tables, columns, enums, indexes, foreignKeys };
}

/** The same description, read from the database's catalog. */
async function actualSchema(session: SqlSession) {
  const list = async (sql: string, line: (row: Record<string, unknown>) => string) => (await session.query(sql)).map(line).sort();
  const tables = await list(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'",
    (row) => String(row.table_name),
  );
  const columns = await list(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, t.typtype, t.typname,
            a.attnotnull AS not_null, a.atthasdef AS has_default
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' AND a.attnum > 0 AND NOT a.attisdropped`,
    (row) =>
      `${row.table_name}.${row.column_name} ${row.typtype === 'e' ? `enum ${row.typname}` : row.type} ${row.not_null ? 'NOT NULL' : 'NULL'}${row.has_default ? ' DEFAULT' : ''}`,
  );
  const enums = await list(
    `SELECT t.typname, array_to_string(ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), ', ') AS labels
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'`,
    (row) => `${row.typname} (${row.labels})`,
  );
  const indexes = await list(
    `SELECT i.relname AS index_name, t.relname AS table_name, ix.indisprimary, ix.indisunique, pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
            array_to_string(ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                                  JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord), ', ') AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'`,
    (row) =>
      `${row.index_name} ON ${row.table_name} (${row.columns})${row.indisprimary ? ' PRIMARY KEY' : row.indisunique ? ' UNIQUE' : ''}${row.predicate ? ` WHERE ${row.predicate}` : ''}`,
  );
  const foreignKeys = await list(
    `SELECT con.conname, t.relname AS table_name, f.relname AS referenced_table, con.confdeltype, con.confupdtype,
            array_to_string(ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord), ', ') AS columns,
            array_to_string(ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord), ', ') AS referenced_columns
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class f ON f.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = 'public'`,
    (row) =>
      `${row.conname}: ${row.table_name} (${row.columns}) -> ${row.referenced_table} (${row.referenced_columns}) ON DELETE ${referentialAction[String(row.confdeltype)]} ON UPDATE ${referentialAction[String(row.confupdtype)]}`,
  );
  return { tables, columns, enums, indexes, foreignKeys };
}

describe.each(databaseTargets)('the migrated schema on $name', (target: DatabaseTarget) => {
  const run = target.available ? it : it.skip;
  let empty: EmptyDatabase | undefined;
  let session: (SqlSession & { close(): Promise<void> }) | undefined;

  beforeAll(async () => {
    if (!target.available) return;
    // given an empty database with every migration applied
    empty = await target.open();
    session = await empty.database.openSession();
    await applyMigrations(session);
  });
  afterAll(async () => {
    await session?.close();
    await empty?.drop();
  });

  run('is what the generated Prisma client expects: tables, columns, enums, indexes and foreign keys', async () => {
    // given Prisma's DMMF of the schema the client was generated from
    const dmmf = getDmmf(generatedClientSchema(empty!.database.prisma));
    const expected = expectationsFrom(dmmf);

    // when the database's catalog is read
    const actual = await actualSchema(session!);

    // then each part matches, nothing missing and nothing extra
    expect(actual.tables).toEqual(expected.tables);
    expect(actual.columns).toEqual(expected.columns);
    expect(actual.enums).toEqual(expected.enums);
    expect(actual.indexes).toEqual(expected.indexes);
    expect(actual.foreignKeys).toEqual(expected.foreignKeys);
  });

  run('checks the schema the code runs with: the generated client matches prisma/schema.prisma', () => {
    // given the schema file, the generated client's own schema, and the models the client exports
    const fromFile = getDmmf(readFileSync(SCHEMA_FILE, 'utf8')).datamodel;
    const fromClient = getDmmf(generatedClientSchema(empty!.database.prisma)).datamodel;
    const runtime = (empty!.database.prisma as unknown as { _runtimeDataModel: { models: Record<string, { dbName: string | null; fields: Array<{ name: string; dbName?: string | null; kind: string }> }> } })
      ._runtimeDataModel;

    // then they describe one data model (the client was regenerated after the last schema change)
    expect(fromClient.models).toEqual(fromFile.models);
    expect(fromClient.enums).toEqual(fromFile.enums);
    expect(fromClient.indexes).toEqual(fromFile.indexes);
    expect(Object.values(Prisma.ModelName).sort()).toEqual(fromFile.models.map((m) => m.name).sort());
    for (const model of fromFile.models) {
      const columns = (fields: Array<{ name: string; dbName?: string | null; kind: string }>) =>
        fields.filter((f) => f.kind !== 'object').map((f) => `${f.name}:${f.dbName ?? f.name}`);
      expect({ model: model.name, table: runtime.models[model.name].dbName, columns: columns(runtime.models[model.name].fields) }).toEqual({
        model: model.name,
        table: model.dbName,
        columns: columns(model.fields),
      });
    }
  });

  run('keeps history append-only: UPDATE, DELETE and TRUNCATE on client_events raise', async () => {
    // given a client with one history event
    const [{ id: clientId }] = await session!.query(
      "INSERT INTO clients (id, first_name, last_name, updated_at) VALUES (gen_random_uuid(), 'Ada', 'Lovelace', now()) RETURNING id",
    );
    const [event] = await session!.query(
      "INSERT INTO client_events (id, client_id, type, to_status) VALUES (gen_random_uuid(), $1, 'CLIENT_CREATED', 'PENDING') RETURNING *",
      [clientId],
    );

    // when the event is updated or deleted, then the database refuses
    await expect(session!.query("UPDATE client_events SET type = 'CLIENT_ACTIVATED' WHERE id = $1", [event.id])).rejects.toThrow(
      /client_events is append-only \(UPDATE refused\)/,
    );
    await expect(session!.query('DELETE FROM client_events WHERE id = $1', [event.id])).rejects.toThrow(/client_events is append-only \(DELETE refused\)/);
    await expect(session!.query('TRUNCATE client_events')).rejects.toThrow(/client_events is append-only \(TRUNCATE refused\)/);
    // nor can the client be deleted from under its history
    await expect(session!.query('DELETE FROM clients WHERE id = $1', [clientId])).rejects.toThrow(/foreign key|append-only/);
    // and the event is as it was written
    expect(await session!.query('SELECT * FROM client_events WHERE client_id = $1', [clientId])).toEqual([event]);
  });

  run('fills the outbox from each history insert, by trigger: the event as integrators get it, and a code reference', async () => {
    // given a client
    const [{ id: clientId }] = await session!.query(
      "INSERT INTO clients (id, first_name, last_name, updated_at) VALUES (gen_random_uuid(), 'Ada', 'Lovelace', now()) RETURNING id",
    );

    // when two events are appended in one statement, one of them a code request
    const events = await session!.query(
      `INSERT INTO client_events (id, client_id, type, from_status, to_status, detail, occurred_at) VALUES
         (gen_random_uuid(), $1, 'CLIENT_VERIFIED', 'PENDING', 'VERIFIED', '{"kycVerificationType":"PARTIAL"}', '2026-03-16T12:00:00.123Z'),
         (gen_random_uuid(), $1, 'CONTACT_VERIFICATION_REQUESTED', NULL, NULL, '{"channel":"EMAIL"}', '2026-03-16T12:00:01Z')
       RETURNING id`,
      [clientId],
    );

    // then the outbox holds both events, in order, and a reference to the code's challenge
    const outbox = await session!.query('SELECT id, topic, client_id, payload, status, attempts FROM outbox_events WHERE client_id = $1 ORDER BY seq', [clientId]);
    expect(outbox).toEqual([
      {
        id: events[0].id,
        topic: 'CLIENT_EVENT',
        client_id: clientId,
        status: 'PENDING',
        attempts: 0,
        payload: {
          id: events[0].id,
          type: 'CLIENT_VERIFIED',
          clientId,
          occurredAt: '2026-03-16T12:00:00.123Z',
          data: { kycVerificationType: 'PARTIAL', fromStatus: 'PENDING', toStatus: 'VERIFIED' },
        },
      },
      {
        id: events[1].id,
        topic: 'CLIENT_EVENT',
        client_id: clientId,
        status: 'PENDING',
        attempts: 0,
        payload: { id: events[1].id, type: 'CONTACT_VERIFICATION_REQUESTED', clientId, occurredAt: '2026-03-16T12:00:01.000Z', data: { channel: 'EMAIL' } },
      },
      expect.objectContaining({ topic: 'CONTACT_CODE', client_id: clientId, payload: { channel: 'EMAIL', requestedAt: '2026-03-16T12:00:01.000Z' } }),
    ]);
  });

  run('enforces the hand-written partial unique indexes', async () => {
    // given two clients
    const [first, second] = await session!.query(
      "INSERT INTO clients (id, first_name, last_name, updated_at) VALUES (gen_random_uuid(), 'A', 'One', now()), (gen_random_uuid(), 'B', 'Two', now()) RETURNING id",
    );
    const address = (clientId: unknown, isPrimary: boolean) =>
      session!.query(
        "INSERT INTO addresses (id, client_id, type, is_primary, line1, city, postal_code, country_code) VALUES (gen_random_uuid(), $1, 'RESIDENTIAL', $2, '1 Main St', 'Town', '12345', 'US')",
        [clientId, isPrimary],
      );
    const identifier = (clientId: unknown, status: string) =>
      session!.query(
        "INSERT INTO identifiers (id, client_id, type, value_encrypted, value_hash, last4, status) VALUES (gen_random_uuid(), $1, 'SSN', '\\x00', 'same-hash', '6789', $2::\"IdentifierStatus\")",
        [clientId, status],
      );

    // then one primary address per client, any number of others
    await address(first.id, true);
    await address(first.id, false);
    await address(first.id, false);
    await address(second.id, true);
    await expect(address(first.id, true)).rejects.toThrow(/addresses_one_primary_per_client/);

    // and one ACTIVE identifier per value across all clients, any number of INACTIVE ones
    await identifier(first.id, 'ACTIVE');
    await identifier(first.id, 'INACTIVE');
    await identifier(second.id, 'INACTIVE');
    await expect(identifier(second.id, 'ACTIVE')).rejects.toThrow(/identifiers_one_active_per_value/);
  });
});
