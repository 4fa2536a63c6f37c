/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Compiled file by file without a type check (tsconfig.jest.json: isolatedModules), about half the
  // time of ts-jest's per-file type check on a fresh clone; `npm test` type-checks first (typecheck).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] },
  // Prisma's generated client imports its siblings as ./x.js; they are .ts files here.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60_000,
  // Builds (once, then cached) the PGlite images in-memory test databases start from.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Each test file runs against its own database; two workers fit the 2-core machines.
  maxWorkers: 2,
  // Every embedded PGlite reserves gigabytes of address space for its WebAssembly memory, and a
  // worker that has run many files keeps some of it until garbage collection. Recycle workers
  // that grow past this, so a late file never runs short of memory.
  workerIdleMemoryLimit: '700MB',
};
