/**
 * The CloudBase environment the mini program calls: the one place it is set.
 * `npm run deploy` writes TCB_ENV_ID here (scripts/lib/cloud-env.ts); upload the mini
 * program from DevTools afterwards to ship it. Empty: DevTools' default environment.
 */
export const CLOUD_ENV: string = '';
