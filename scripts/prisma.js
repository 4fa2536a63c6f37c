#!/usr/bin/env node
// Runs the Prisma CLI offline. Every Prisma 7 command first looks for the schema-engine
// binary and tries to download it, which fails on machines without Prisma's binary host.
// `generate`, `validate` and `format` never execute that binary, so pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file lets them run (see README, "Prisma offline").
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
const offlineSafe = ['generate', 'validate', 'format'];
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && offlineSafe.includes(process.argv[2])) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const cli = path.join(__dirname, '..', 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
