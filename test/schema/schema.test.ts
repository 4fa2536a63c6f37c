import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BreakingChange, buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { onboardingSchema } from '../../src/graphql/schema';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(file, 'utf8');

describe('the published schema', () => {
  it('is committed as schema.graphql exactly as the code builds it (run `npm run schema:emit` after changing types)', () => {
    expect(read(path.join(root, 'schema.graphql'))).toBe(`${printSchema(onboardingSchema())}\n`);
  });

  it('keeps every type, field, argument, enum value and union member of the contract', () => {
    const contract = buildSchema(read(path.join(root, 'contract', 'contract.graphql')));
    const breaking: BreakingChange[] = findBreakingChanges(contract, onboardingSchema());
    expect(breaking.map((change) => `${change.type}: ${change.description}`)).toEqual([]);
  });

  it('detects a breaking change (the check above can fail)', () => {
    const contract = buildSchema(read(path.join(root, 'contract', 'contract.graphql')));
    const broken = buildSchema(read(path.join(root, 'schema.graphql')).replace('  totalCount: Int!\n', ''));
    expect(findBreakingChanges(contract, broken).map((change) => change.description)).toContain('ClientConnection.totalCount was removed.');
  });

  it('uses the contract as shared with front-ends (contract/contract.graphql is a verbatim copy)', () => {
    const shared = path.join(root, '..', 'shared', 'contract.graphql');
    if (!existsSync(shared)) return; // a clone outside the monorepo layout has only the copy
    expect(read(path.join(root, 'contract', 'contract.graphql'))).toBe(read(shared));
  });
});
