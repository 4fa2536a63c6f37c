import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BreakingChange, buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { onboardingSchema } from '../../src/graphql/schema';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(file, 'utf8');

/**
 * The contract as committed here (always required), and as shared with front-ends: SHARED_CONTRACT
 * (then required), or ../shared/contract.graphql beside the project. A clone on its own (CI's clean
 * clone, a contributor's checkout) has no shared copy: that one comparison is reported as skipped,
 * never passed, and the schema is still checked against the committed copy.
 */
const committedContract = path.join(root, 'contract', 'contract.graphql');
const sharedContract = process.env.SHARED_CONTRACT ?? path.join(root, '..', 'shared', 'contract.graphql');
const sharedContractKnown = Boolean(process.env.SHARED_CONTRACT) || existsSync(sharedContract);

/** A contract file's text; a missing one fails the test that needs it, saying where it was looked for. */
function readContract(file: string): string {
  if (!existsSync(file)) {
    throw new Error(`the contract file ${file} is missing: the schema cannot be checked against it (set SHARED_CONTRACT to the shared contract's path when the project is not beside shared/)`);
  }
  return read(file);
}

describe('the published schema', () => {
  it('is committed as schema.graphql exactly as the code builds it (run `npm run schema:emit` after changing types)', () => {
    expect(read(path.join(root, 'schema.graphql'))).toBe(`${printSchema(onboardingSchema())}\n`);
  });

  it('keeps every type, field, argument, enum value and union member of the contract', () => {
    const contract = buildSchema(readContract(committedContract));
    const breaking: BreakingChange[] = findBreakingChanges(contract, onboardingSchema());
    expect(breaking.map((change) => `${change.type}: ${change.description}`)).toEqual([]);
  });

  it('detects a breaking change (the check above can fail)', () => {
    const contract = buildSchema(readContract(committedContract));
    const broken = buildSchema(read(path.join(root, 'schema.graphql')).replace('  totalCount: Int!\n', ''));
    expect(findBreakingChanges(contract, broken).map((change) => change.description)).toContain('ClientConnection.totalCount was removed.');
  });

  (sharedContractKnown ? it : it.skip)(`evolves the contract as shared with front-ends without breaking it (contract/contract.graphql adds to it)${sharedContractKnown ? '' : ` (skipped: no ${sharedContract}; set SHARED_CONTRACT)`}`, () => {
    const shared = buildSchema(readContract(sharedContract));
    const committed = buildSchema(readContract(committedContract));
    expect(findBreakingChanges(shared, committed).map((change) => `${change.type}: ${change.description}`)).toEqual([]);
    expect(findBreakingChanges(shared, onboardingSchema()).map((change) => `${change.type}: ${change.description}`)).toEqual([]);
  });

  it('fails, naming the file, when a contract file is missing', () => {
    expect(() => readContract(path.join(root, 'contract', 'no-such-contract.graphql'))).toThrow(/no-such-contract\.graphql is missing/);
  });
});
