/**
 * Two kinds of tests: everything under Node (units beside the code, emulator and
 * end-to-end tests in test/), and mini program components under jsdom with
 * miniprogram-simulate. Functions are built once before any test runs.
 * @type {import('jest').Config}
 */
const { availableParallelism } = require('node:os');

const transform = { '^.+\\.ts$': '<rootDir>/scripts/jest-transform.cjs' };

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: [
        '<rootDir>/cloudfunctions/**/*.test.ts',
        '<rootDir>/packages/cloudbase-emulator/src/**/*.test.ts',
        '<rootDir>/scripts/**/*.test.ts',
        '<rootDir>/test/**/*.test.ts',
      ],
      // Browser tests have their own command (npm run test:browser, jest.browser.config.js).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/miniprogram/**/*.test.ts'],
    },
  ],
  // Most test time is spent waiting on emulator containers (child processes), not in the
  // worker itself: half again as many workers as cores keeps the CPUs busy (2 cores: 110 s
  // with jest's default of one worker, 55-59 s with three).
  maxWorkers: Math.max(2, Math.ceil(availableParallelism() * 1.5)),
  testTimeout: 30000,
};
