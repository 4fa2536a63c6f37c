import { isDatabaseUnavailable } from '../../src/db/availability';

/** Which failures are an unavailable database (SERVICE_UNAVAILABLE) and which are faults (INTERNAL_SERVER_ERROR). */
describe('a database failure is told apart from a fault in the code', () => {
  const prismaError = (code: string, cause?: object) => Object.assign(new Error('x'), { code, meta: cause ? { driverAdapterError: { cause } } : {} });

  it.each([
    ['an unreachable server', prismaError('P1001')],
    ['an exhausted pool', prismaError('P2024')],
    ['a raw query on an unreachable server', prismaError('P2010', { kind: 'DatabaseNotReachable' })],
    ['a server shutting down', prismaError('P2010', { kind: 'postgres', code: '57P01' })],
    ['a statement timeout', prismaError('P2010', { kind: 'postgres', code: '57014' })],
    ['a lock timeout', prismaError('P2010', { kind: 'postgres', code: '55P03' })],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a wrapped cause', new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ECONNRESET' }) })],
  ])('unavailable: %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a missing table', prismaError('P2021', { kind: 'TableDoesNotExist' })],
    ['a unique violation', prismaError('P2002')],
    ['a syntax error', prismaError('P2010', { kind: 'postgres', code: '42601' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'Connection terminated'],
  ])('a fault: %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
