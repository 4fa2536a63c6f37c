/**
 * The pure rules module, rule by rule: a change to a rule shows up here first. The GraphQL-level
 * behaviour is covered in lifecycle.test.ts.
 */
import { DEFAULT_REQUIREMENT_POLICY } from '../../src/modules/verification/requirement-policy';
import { ClientSnapshot, missingRequirementsFor } from '../../src/modules/verification/requirements';

const now = new Date('2030-06-15T12:00:00Z');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

const complete: ClientSnapshot = {
  email: 'a@example.com',
  emailVerified: true,
  mobilePhone: '+14155550100',
  mobilePhoneVerified: true,
  addresses: [{ isPrimary: true }],
  identifiers: [{ type: 'SSN', status: 'ACTIVE', expiresOn: null }],
  documents: [{ type: 'PASSPORT', status: 'ACCEPTED', expiresOn: null }],
};

const missing = (client: Partial<ClientSnapshot>, level: 'PARTIAL' | 'FULL' = 'FULL') =>
  missingRequirementsFor({ ...complete, ...client }, level, DEFAULT_REQUIREMENT_POLICY, now).map((r) => r.code);

describe('missingRequirementsFor', () => {
  it('finds nothing missing for a complete client', () => {
    expect(missing({})).toEqual([]);
    expect(missing({}, 'PARTIAL')).toEqual([]);
  });

  it('needs a primary address, not just any address', () => {
    expect(missing({ addresses: [{ isPrimary: false }] })).toEqual(['PRIMARY_ADDRESS']);
  });

  it('counts only ACTIVE, unexpired identifiers (expiring today still counts)', () => {
    expect(missing({ identifiers: [{ type: 'SSN', status: 'INACTIVE', expiresOn: null }] })).toEqual(['IDENTITY_DOCUMENT', 'TAX_IDENTIFIER']);
    expect(missing({ identifiers: [{ type: 'ITIN', status: 'ACTIVE', expiresOn: day('2030-06-14') }] })).toEqual(['IDENTITY_DOCUMENT', 'TAX_IDENTIFIER']);
    expect(missing({ identifiers: [{ type: 'ITIN', status: 'ACTIVE', expiresOn: day('2030-06-15') }] })).toEqual([]);
  });

  it('needs SSN or ITIN for TAX_IDENTIFIER at FULL only', () => {
    const passportOnly = { identifiers: [{ type: 'PASSPORT' as const, status: 'ACTIVE' as const, expiresOn: day('2031-01-01') }] };
    expect(missing(passportOnly)).toEqual(['TAX_IDENTIFIER']);
    expect(missing(passportOnly, 'PARTIAL')).toEqual([]);
  });

  it('needs an ACCEPTED, unexpired physical ID document at FULL, and says when one awaits review', () => {
    const pending = missingRequirementsFor(
      { ...complete, documents: [{ type: 'DRIVERS_LICENSE', status: 'PENDING_REVIEW', expiresOn: null }] },
      'FULL',
      DEFAULT_REQUIREMENT_POLICY,
      now,
    );
    expect(pending).toEqual([expect.objectContaining({ code: 'PHYSICAL_ID_DOCUMENT', pendingReview: true })]);
    expect(missing({ documents: [{ type: 'NATIONAL_ID_CARD', status: 'REJECTED', expiresOn: null }] })).toEqual(['PHYSICAL_ID_DOCUMENT']);
    expect(missing({ documents: [{ type: 'PASSPORT', status: 'ACCEPTED', expiresOn: day('2030-06-14') }] })).toEqual(['PHYSICAL_ID_DOCUMENT']);
    expect(missing({ documents: [{ type: 'SSN_CARD', status: 'ACCEPTED', expiresOn: null }] })).toEqual(['PHYSICAL_ID_DOCUMENT']);
    expect(missing({ documents: [] }, 'PARTIAL')).toEqual([]);
  });

  it('lists a verification requirement only when there is something to verify', () => {
    expect(missing({ email: null, emailVerified: false })).toEqual(['EMAIL_ADDRESS']);
    expect(missing({ emailVerified: false })).toEqual(['EMAIL_VERIFICATION']);
    expect(missing({ mobilePhone: null, mobilePhoneVerified: false })).toEqual(['MOBILE_PHONE']);
    expect(missing({ mobilePhoneVerified: false })).toEqual(['MOBILE_PHONE_VERIFICATION']);
  });

  it('lists every missing requirement, in the table order', () => {
    const empty: ClientSnapshot = { email: null, emailVerified: false, mobilePhone: null, mobilePhoneVerified: false, addresses: [], identifiers: [], documents: [] };
    expect(missingRequirementsFor(empty, 'FULL', DEFAULT_REQUIREMENT_POLICY, now).map((r) => r.code)).toEqual([
      'PRIMARY_ADDRESS',
      'IDENTITY_DOCUMENT',
      'TAX_IDENTIFIER',
      'PHYSICAL_ID_DOCUMENT',
      'EMAIL_ADDRESS',
      'MOBILE_PHONE',
    ]);
  });
});
