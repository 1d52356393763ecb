/**
 * jest runs the TypeScript sources directly as ES modules (ts-jest ESM mode), because
 * @octokit/rest 22 is ESM-only. Run through `npm test`, which starts node with
 * --experimental-vm-modules. Type checking happens in `npm run build` / `npm run typecheck`;
 * ts-jest only transpiles (isolatedModules) so the suite stays fast on 2 cores.
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }],
  },
  testTimeout: 60000,
  setupFilesAfterEnv: ['<rootDir>/test/support/fast-check-seed.ts'],
};
