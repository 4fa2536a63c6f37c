import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { DEFAULT_REQUIREMENT_POLICY, parseRequirementPolicy } from '../../src/modules/verification/requirement-policy';
import { AddDocumentForVerificationDocument, MissingRequirementsDocument, VerifyClientDocument } from '../generated/graphql';
import { pdfBase64, verifiableClient } from '../support/fixtures';
import { TestApp, startTestApp } from '../support/test-app';

describe('the requirement policy is configuration', () => {
  it('defaults to the rules table: PROOF_OF_ADDRESS off, FULL adds TAX_IDENTIFIER and PHYSICAL_ID_DOCUMENT', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.requirementPolicy).toEqual(DEFAULT_REQUIREMENT_POLICY);
    expect(config.requirementPolicy.FULL).not.toContain('PROOF_OF_ADDRESS');
    expect(config.requirementPolicy.FULL.filter((code) => !config.requirementPolicy.PARTIAL.includes(code))).toEqual([
      'TAX_IDENTIFIER',
      'PHYSICAL_ID_DOCUMENT',
    ]);
  });

  it('reads REQUIREMENT_POLICY (JSON) and REQUIREMENT_POLICY_FILE', () => {
    const json = '{"PARTIAL": ["PRIMARY_ADDRESS"], "FULL": ["PROOF_OF_ADDRESS", "PRIMARY_ADDRESS"]}';
    const dir = mkdtempSync(path.join(tmpdir(), 'policy-'));
    const file = path.join(dir, 'policy.json');
    writeFileSync(file, json);
    try {
      expect(loadConfig({ REQUIREMENT_POLICY: json }).requirementPolicy).toEqual({ PARTIAL: ['PRIMARY_ADDRESS'], FULL: ['PRIMARY_ADDRESS', 'PROOF_OF_ADDRESS'] });
      expect(loadConfig({ REQUIREMENT_POLICY_FILE: file }).requirementPolicy.FULL).toEqual(['PRIMARY_ADDRESS', 'PROOF_OF_ADDRESS']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['an unknown code', '{"PARTIAL": ["PRIMARY_ADDRESS", "SELFIE"], "FULL": []}', /unknown requirement code\(s\) for PARTIAL: SELFIE/],
    ['an unknown level', '{"PARTIAL": [], "FULL": [], "GOLD": []}', /unknown verification level/],
    ['a missing level', '{"PARTIAL": []}', /FULL must be a list/],
    ['a verification without its contact', '{"PARTIAL": ["EMAIL_VERIFICATION"], "FULL": []}', /EMAIL_VERIFICATION needs EMAIL_ADDRESS/],
    ['invalid JSON', '{PARTIAL', /not valid JSON/],
  ])('refuses %s', (_what, json, message) => {
    expect(() => parseRequirementPolicy(json)).toThrow(message);
    expect(() => loadConfig({ REQUIREMENT_POLICY: json })).toThrow(ConfigError);
  });

  it('makes the server refuse to start on a policy naming an unknown code', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'policy-start-'));
    try {
      const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'main.js')], {
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', REQUIREMENT_POLICY: '{"PARTIAL": ["SELFIE"], "FULL": []}' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('REQUIREMENT_POLICY: unknown requirement code(s) for PARTIAL: SELFIE');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('with PROOF_OF_ADDRESS required for FULL', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        config: {
          requirementPolicy: parseRequirementPolicy(JSON.stringify({ ...DEFAULT_REQUIREMENT_POLICY, FULL: [...DEFAULT_REQUIREMENT_POLICY.FULL, 'PROOF_OF_ADDRESS'] })),
        },
      });
    });
    afterAll(() => t.stop());

    it('asks for proof of address, shows it awaiting review, and verifies FULL once it is accepted', async () => {
      const { id } = await verifiableClient(t, { full: true });
      const missingBefore = await t.run(MissingRequirementsDocument, { id, level: 'FULL' });
      expect(missingBefore.client!.missingRequirements).toEqual([
        expect.objectContaining({ code: 'PROOF_OF_ADDRESS', acceptedTypes: ['PROOF_OF_ADDRESS'], pendingReview: false }),
      ]);

      const added = await t.run(AddDocumentForVerificationDocument, {
        input: { clientId: id, type: 'PROOF_OF_ADDRESS', fileName: 'bill.pdf', contentType: 'application/pdf', contentBase64: pdfBase64 },
      });
      if (added.addDocument.__typename !== 'AddDocumentSuccess') throw new Error(JSON.stringify(added.addDocument));
      const awaiting = await t.run(VerifyClientDocument, { input: { clientId: id, kycVerificationType: 'FULL' } });
      expect(awaiting.verifyClient).toMatchObject({
        __typename: 'VerificationRequirementsNotMetError',
        missingRequirements: [expect.objectContaining({ code: 'PROOF_OF_ADDRESS', pendingReview: true })],
      });
      const partial = await t.run(VerifyClientDocument, { input: { clientId: id, kycVerificationType: 'PARTIAL' } });
      expect(partial.verifyClient.__typename).toBe('VerifyClientSuccess');
    });
  });
});
