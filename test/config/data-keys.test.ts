import { randomBytes } from 'node:crypto';
/** DATA_ENCRYPTION_KEYS: an ordered ring of id:key, current first, instead of DATA_ENCRYPTION_KEY. */
import { loadConfig } from '../../src/config';
import { configProblems } from '../support/configuration';

const A = Buffer.alloc(32, 0xa1);
const B = Buffer.alloc(32, 0xb2);

describe('DATA_ENCRYPTION_KEYS', () => {
  it('reads an ordered ring of id:key, base64 or hex, current key first', () => {
    const config = loadConfig({ DATA_ENCRYPTION_KEYS: `b:${B.toString('base64')}, a-2024:${A.toString('hex')}` });
    expect(config.dataKeys).toEqual([
      { id: 'b', secret: B },
      { id: 'a-2024', secret: A },
    ]);
    expect(config.masterKey).toBeNull();
    expect(loadConfig({}).dataKeys).toBeNull();
  });

  it('refuses DATA_ENCRYPTION_KEY and DATA_ENCRYPTION_KEYS together', () => {
    expect(configProblems({ DATA_ENCRYPTION_KEY: A.toString('base64'), DATA_ENCRYPTION_KEYS: `b:${B.toString('base64')}` })).toContain(
      'DATA_ENCRYPTION_KEYS: set either DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_KEYS, not both',
    );
  });

  it.each([
    ['an entry without an id', B.toString('base64'), /entry 1 is not id:key/],
    ['an id with capitals', `Key1:${B.toString('base64')}`, /entry 1 is not id:key/],
    ['an id over 16 characters', `a234567890abcdefg:${B.toString('base64')}`, /entry 1 is not id:key/],
    ['a short key', `a:${A.toString('base64')},b:c2hvcnQ=`, /key b: must be 32 bytes/],
    ['one id twice', `a:${A.toString('base64')},a:${B.toString('base64')}`, /key id a is given twice/],
    ['one key under two ids', `a:${A.toString('base64')},b:${A.toString('hex')}`, /keys a and b are the same key/],
  ])('refuses %s, without repeating any key', (_what, value, message) => {
    const reported = configProblems({ DATA_ENCRYPTION_KEYS: value });
    expect(reported).toMatch(message);
    expect(reported).not.toContain(A.toString('base64'));
    expect(reported).not.toContain(B.toString('base64'));
    expect(reported).not.toContain(A.toString('hex'));
  });

  it('satisfies production in place of DATA_ENCRYPTION_KEY', () => {
    // other production settings may still be missing; only the key requirement is looked at here
    expect(configProblems({ NODE_ENV: 'production' })).toMatch(/DATA_ENCRYPTION_KEY: required in production/);
    let reported = '';
    try {
      // (a random key: production refuses keys of repeated bytes such as B)
      loadConfig({ NODE_ENV: 'production', DATA_ENCRYPTION_KEYS: `b:${randomBytes(32).toString('base64')}`, CONTACT_DELIVERY: 'log' });
    } catch (error) {
      reported = (error as Error).message;
    }
    expect(reported).not.toMatch(/DATA_ENCRYPTION_KEY/);
  });
});
