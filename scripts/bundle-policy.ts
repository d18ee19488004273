/**
 * What the function bundles leave out of wx-server-sdk's dependency tree, and why.
 *
 * `wx-server-sdk` itself is bundled unmodified and does all the work the product
 * uses: `init`, `getWXContext`, the database (queries, commands, transactions,
 * aggregation, server dates) and `openapi.phonenumber.getPhoneNumber` (a cloud call,
 * protobuf + json-bigint). Below are the packages it pulls in that the product's code
 * paths never reach. Each is replaced by a stand-in that throws, naming the package
 * and this reason, on any use (property read, call, `new`, `in`, key listing), so a
 * product path that did reach one fails loudly in the end-to-end tests, which run
 * these same bundles. Leaving a package out also leaves out everything only it needs.
 *
 * Every bundle's remaining contents, package by package with a reason, are pinned in
 * scripts/bundle-manifest.json and checked by scripts/bundle-contents.test.ts.
 */

export interface LeftOut {
  /** A package name (its subpaths are left out too), or a file inside a package (`<package>/<path>.js`). */
  module: string;
  /** Who requires it, and why no product path reaches it. */
  why: string;
}

export const LEFT_OUT: readonly LeftOut[] = [
  {
    module: '@cloudbase/node-sdk/dist/ai/index.js',
    why: "node-sdk's AI client (cloud.ai()), with @cloudbase/ai, @cloudbase/app and web-streams-polyfill; never called",
  },
  {
    module: '@cloudbase/node-sdk/dist/storage/index.js',
    why: 'cloud storage (uploadFile, downloadFile, getTempFileURL...), with xml2js; the product stores no files',
  },
  {
    module: '@cloudbase/node-sdk/dist/auth/index.js',
    why: "node-sdk's auth() (createTicket, getUserInfo, client credentials), with jsonwebtoken, semver and jws; wx-server-sdk reads the caller from the environment (getWXContext), never through it",
  },
  {
    module: '@cloudbase/wx-cloud-client-sdk',
    why: "node-sdk's data-model and MySQL clients (cloud.models, cloud.mysql); node-sdk builds them inside its own try/catch at init, so cloud.models stays unset; never called",
  },
  {
    module: '@cloudbase/database/dist/commonjs/realtime/websocket-client.js',
    why: "the database's realtime watch() client, with lodash.set, lodash.unset and lodash.clonedeep; the product never watches",
  },
  {
    module: 'mime-db',
    why: "a 280 KiB media type table: wx-server-sdk's openapi media parameters ({ contentType, value: Buffer }, never sent: getPhoneNumber takes strings) and mime-types",
  },
  {
    module: 'mime-types',
    why: "form-data looks up a content type by file name only when a value has a name, path or filename; node-sdk appends plain strings and buffers (a cloud call posts its protobuf body as a form), which get form-data's default type",
  },
  {
    module: 'axios',
    why: "node-sdk's requestClient (a shim for extension CI) and its cloud metadata lookups, made only outside SCF (TENCENTCLOUD_RUNENV is SCF in every cloud function); node-sdk's own requests use node:http",
  },
  { module: 'http-proxy-agent', why: "node-sdk's request core, only with a configured proxy; none is" },
  { module: 'https-proxy-agent', why: "node-sdk's request core, only with a configured proxy; none is" },
];

/** Package name of a bundle input path (the innermost node_modules entry), or null for our own code. */
export function packageOf(inputPath: string): string | null {
  const parts = inputPath.split('node_modules/');
  if (parts.length < 2) return null;
  const rest = parts[parts.length - 1]!.split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}
