/**
 * Browser tests (`npm run test:browser`): the emulator console in headless Chromium.
 * Separate from `npm test`, which must pass on a machine without a browser. Needs
 * Chromium installed (Debian/Ubuntu: `sudo apt-get install -y chromium`, or set
 * CHROMIUM_PATH); playwright-core drives it and downloads nothing.
 * @type {import('jest').Config}
 */
module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-transform.cjs' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
  testTimeout: 60000,
};
