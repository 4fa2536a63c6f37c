// Prisma CLI configuration. The server applies migrations itself (src/db/migrations.ts); this file
// lets `npx prisma migrate deploy` (where Prisma's schema engine is available) find the same
// schema, migrations and database. DATABASE_URL is read lazily so offline `generate` works without it.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
