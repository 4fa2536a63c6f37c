import { KycVerificationType } from '../../generated/prisma/enums';
import { REQUIREMENT_CODES, RequirementCode, RequirementPolicy } from './requirements';

// Declared beside missingRequirementsFor, which reads it; config reads it from here with the parser.
export type { RequirementPolicy };

/** The table in onboarding-rules.md; PROOF_OF_ADDRESS is off by default. */
export const DEFAULT_REQUIREMENT_POLICY: RequirementPolicy = {
  PARTIAL: ['PRIMARY_ADDRESS', 'IDENTITY_DOCUMENT', 'EMAIL_ADDRESS', 'EMAIL_VERIFICATION', 'MOBILE_PHONE', 'MOBILE_PHONE_VERIFICATION'],
  FULL: [
    'PRIMARY_ADDRESS',
    'IDENTITY_DOCUMENT',
    'TAX_IDENTIFIER',
    'PHYSICAL_ID_DOCUMENT',
    'EMAIL_ADDRESS',
    'EMAIL_VERIFICATION',
    'MOBILE_PHONE',
    'MOBILE_PHONE_VERIFICATION',
  ],
};

/**
 * Parses a policy such as `{"PARTIAL": ["PRIMARY_ADDRESS"], "FULL": ["PRIMARY_ADDRESS", "PROOF_OF_ADDRESS"]}`.
 * null gives the default. Unknown levels or codes are refused, so a typo cannot silently weaken KYC.
 */
export function parseRequirementPolicy(json: string | null): RequirementPolicy {
  if (json === null) return DEFAULT_REQUIREMENT_POLICY;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('expected an object {"PARTIAL": [codes], "FULL": [codes]}');
  }
  const levels = Object.keys(KycVerificationType) as KycVerificationType[];
  const unknownLevels = Object.keys(parsed).filter((key) => !levels.includes(key as KycVerificationType));
  if (unknownLevels.length > 0) throw new Error(`unknown verification level(s): ${unknownLevels.join(', ')}`);

  const policy = {} as Record<KycVerificationType, RequirementCode[]>;
  for (const level of levels) {
    const codes = (parsed as Record<string, unknown>)[level];
    if (!Array.isArray(codes)) throw new Error(`${level} must be a list of requirement codes`);
    const unknown = codes.filter((code) => !REQUIREMENT_CODES.includes(code as RequirementCode));
    if (unknown.length > 0) {
      throw new Error(`unknown requirement code(s) for ${level}: ${unknown.map(String).join(', ')}`);
    }
    const set = new Set(codes as RequirementCode[]);
    if (set.has('EMAIL_VERIFICATION') && !set.has('EMAIL_ADDRESS')) {
      throw new Error(`${level}: EMAIL_VERIFICATION needs EMAIL_ADDRESS in the same level`);
    }
    if (set.has('MOBILE_PHONE_VERIFICATION') && !set.has('MOBILE_PHONE')) {
      throw new Error(`${level}: MOBILE_PHONE_VERIFICATION needs MOBILE_PHONE in the same level`);
    }
    // Keep the table's order, so missing requirements always come out in one stable order.
    policy[level] = REQUIREMENT_CODES.filter((code) => set.has(code));
  }
  return policy;
}
