/**
 * Three projects: unit tests (the pure engine, the policy data, the state machine, scalars) run without a
 * database, in seconds; integration tests go through HTTP, Apollo, RLS and a real PostgreSQL started once
 * in globalSetup; the fault suite runs the built server as a process of its own on a PostgreSQL of its
 * own, and kills and restarts them (test/faults). `npm run test:unit` runs the first alone,
 * `npm run test:faults` the last. The bench's smoke run is not here: CI runs it as a step of its own
 * (`npm run bench:smoke`).
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  // A worker that ends the run holding 340-380 MB of heap (650-690 MB resident) takes 400-530 ms to tear
  // down after its last test, past the 500 ms jest allows, and jest then prints "A worker process has failed
  // to exit gracefully" although no handle is left open (measured: the exit event fires 1-9 ms after jest's
  // END message). Recycling a worker whose heap passes 256 MB after a test file keeps them small: 12 exits
  // took 90-288 ms in six runs, with no notice; the runs took 90-108 s, against about 90-97 s without.
  workerIdleMemoryLimit: '256MB',
  projects: [
    { displayName: 'unit', testEnvironment: 'node', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'], transform },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
    { displayName: 'faults', testEnvironment: 'node', roots: ['<rootDir>/test/faults'], testMatch: ['**/*.test.ts'], transform },
  ],
};
