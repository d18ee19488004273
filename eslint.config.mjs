// ESLint (flat config): typescript-eslint's recommended rules over every TypeScript
// file we write, one type-aware rule (no-floating-promises: a promise nobody awaits
// loses its failure), and the import boundaries that keep the layers apart.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Each tsconfig of the project, so the type-aware rule sees every file with its own settings. */
const PROJECTS = [
  './tsconfig.json',
  './miniprogram/tsconfig.json',
  './miniprogram/tsconfig.test.json',
  './packages/cloudbase-emulator/src/console/client/tsconfig.json',
  './scripts/console-plugin/client/tsconfig.json',
];

/** Imports product code must never make: the local stand-ins and tools are not deployed. */
const NOT_PRODUCT = [
  {
    group: ['**/emulator/**', '**/packages/**', 'cloudbase-emulator', 'cloudbase-emulator/**'],
    message: 'Product code runs in the cloud and the mini program: the emulator is a local stand-in.',
  },
  { group: ['**/scripts/**'], message: 'Product code does not import build, deploy or bench scripts.' },
  { group: ['**/test/**'], message: 'Product code does not import test support; tests import product code, not the reverse.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'build/',
      'coverage/',
      '.quickphone/',
      '.cloudbase-emulator/',
      'bench/naive-function/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: PROJECTS, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name` marks a parameter a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Types that only a declaration merge or a test's cast needs are fine as interfaces.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Prettier's width; it cannot break a long string, so strings are exempt (comments are not).
      'max-len': ['error', { code: 140, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
      // A promise neither awaited, returned nor marked `void` loses its rejection (an unhandled rejection ends a function's process).
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // Product code: the deployed functions and the mini program (their tests may use test support).
    files: ['cloudfunctions/**/*.ts', 'miniprogram/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: NOT_PRODUCT }] },
  },
  {
    // The emulator stands in for CloudBase and WeChat for any project: it imports no product
    // code, scripts or tests, its web console included; quickphone hands its parts in
    // (scripts/start.ts, scripts/lib/emulator-plugin.ts, scripts/console-plugin/).
    files: ['packages/cloudbase-emulator/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cloudfunctions/**', '**/miniprogram/**', '**/scripts/**', '**/test/**'],
              message: 'The emulator knows CloudBase and WeChat, not quickphone: take what it needs as an option or a plug-in.',
            },
          ],
        },
      ],
    },
  },
  {
    // A collection module reads and writes its collection (docs/architecture.md "Layers"):
    // what combines collections or policy is a service, which calls the collections, not the reverse.
    files: ['cloudfunctions/_shared/data/**/*.ts', 'cloudfunctions/_shared/runtime/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...NOT_PRODUCT,
            {
              group: ['**/services', '**/services/**', '**/wechat', '**/wechat/**'],
              message: 'Collections and the runtime sit below services and WeChat clients: move the combining code into _shared/services/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure rules: no database, no WeChat, no SDK (docs/architecture.md "Layers").
    files: ['cloudfunctions/_shared/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'wx-server-sdk', message: 'The domain talks to no SDK: pass values in, take values out.' }],
          patterns: [
            ...NOT_PRODUCT,
            {
              group: [
                '**/data',
                '**/data/**',
                '**/wechat',
                '**/wechat/**',
                '**/services',
                '**/services/**',
                '**/runtime/cloud',
                '**/runtime/db-*',
              ],
              message: 'The domain imports no data, service or WeChat adapters: they call the domain, not the reverse.',
            },
            {
              // The domain says what went wrong in its own terms (a typed result or a plain domain
              // error); the edge — a route or a function's adapter — maps that to an AppError's code.
              group: ['**/runtime/errors', '**/runtime/router', '**/runtime/log'],
              message: 'The domain answers no one: return a typed result or throw a domain error, and map it to AppError at the edge.',
            },
            {
              group: ['**/runtime/clock', '**/runtime/config', '**/runtime/retry'],
              message: 'The domain is pure: take the time and the limits as arguments instead of reading the clock or the environment.',
            },
          ],
        },
      ],
    },
  },
);
