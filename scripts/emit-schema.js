#!/usr/bin/env node
// Writes the schema the code builds to schema.graphql (committed). test/schema/schema.test.ts
// fails when the file is stale or when it breaks ../shared/contract.graphql.
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { printSchema } = require('graphql');
const { onboardingSchema } = require('../dist/graphql/schema');

const file = path.join(__dirname, '..', 'schema.graphql');
writeFileSync(file, `${printSchema(onboardingSchema())}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
