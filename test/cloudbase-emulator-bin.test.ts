/**
 * The emulator's own command, `cloudbase-emulator start --project DIR`, serving a
 * CloudBase project that is not quickphone: test/fixtures/plain-cloudbase, a plain-JS
 * function as the DevTools template writes one (no build; wx-server-sdk resolved from
 * the function's folder upward, as Node resolves it), its timer from config.json and its
 * HTTP access from cloudbaserc.json. Called only through the HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorClient, type EmulatorClient } from './support/emulator';

const ROOT = join(__dirname, '..');
// The package's bin, as `npx cloudbase-emulator` runs it (npm links it into node_modules/.bin).
const BIN = join(ROOT, 'packages', 'cloudbase-emulator', 'bin', 'cloudbase-emulator.cjs');
const PROJECT = join(__dirname, 'fixtures', 'plain-cloudbase');

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT, // as one runs it from inside a project; --project still names the folder served
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the bin and answers once its banner names the URL. */
function startBin(args: string[], env: Record<string, string>): Promise<EmulatorClient> {
  const child = run(['start', ...args], env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const match = /^cloudbase-emulator on (http:\/\/127\.0\.0\.1:\d+)/m.exec(out);
      if (!match) return;
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve(
        emulatorClient(match[1]!, async () => {
          child.kill('SIGTERM');
          await exited;
        }),
      );
    });
    child.once('exit', (code) => reject(new Error(`the bin exited (${code}) before serving:\n${out}\n${err}`)));
  });
}

describe('cloudbase-emulator start --project <a plain-JS CloudBase project>', () => {
  let emulator: EmulatorClient;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cloudbase-emulator-data-'));
    emulator = await startBin(['--project', PROJECT, '--port', '0', '--quiet'], {
      NOTES_GREETING: 'hello',
      ENV_ID: 'notes-dev-4f2a',
      CLOUDBASE_EMULATOR_DATA_DIR: dataDir,
    });
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('createCollection, add, where/orderBy and getWXContext work as on CloudBase', async () => {
    // The project declares no database-rules/: the collection exists only once the function creates it.
    expect((await emulator.http('GET', '/v1/db/notes')).status).toBe(404);

    expect(await emulator.call('notes', { action: 'add', text: 'second', rank: 2 }, 'o_ann')).toEqual({ id: expect.any(String) });
    await emulator.call('notes', { action: 'add', text: 'first', rank: 1 }, 'o_ann');
    await emulator.call('notes', { action: 'add', text: 'not hers', rank: 0 }, 'o_bob');
    await emulator.call('notes', { action: 'add', text: 'third', rank: 3 }, 'o_ann');

    // A plain-JS project outside the contract: its answer's shape is what this test asserts.
    const list = (await emulator.call('notes', { action: 'list' }, 'o_ann')) as {
      openid: string;
      appid: string;
      greeting: string;
      texts: string[];
    };
    expect(list.texts).toEqual(['first', 'second', 'third']);
    expect(list.openid).toBe('o_ann');
    expect(list.appid).toMatch(/^wx[0-9a-f]{16}$/);
    // cloudbaserc.json's `{{env.NOTES_GREETING}}`, filled from the emulator's environment.
    expect(list.greeting).toBe('hello');
    expect(await emulator.docs('notes')).toHaveLength(4);
  });

  test("the env id is cloudbaserc.json's envId, `{{env.ENV_ID}}` filled from the environment", async () => {
    expect((await emulator.http<{ envId: string }>('GET', '/v1/health')).body.envId).toBe('notes-dev-4f2a');
  });

  test("timers come from the function's config.json", async () => {
    const fired = await emulator.http('POST', '/v1/functions/notes/triggers/nightly', { time: '2026-03-01T18:00:00Z' });
    expect(fired.status).toBe(200);
    const notes = await emulator.docs<{ owner: string; text: string }>('notes');
    expect(notes.filter((n) => n.owner === 'timer').map((n) => n.text)).toEqual(['nightly at 2026-03-01T18:00:00Z']);
    expect((await emulator.http('POST', '/v1/functions/notes/triggers/hourly', {})).status).toBe(404);
  });

  test("HTTP access follows the project's cloudbaserc.json", async () => {
    const res = await fetch(`${emulator.url}/http/notes`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('notes via /notes');
    expect((await fetch(`${emulator.url}/http/elsewhere`)).status).toBe(404);
  });
});

test('a folder without cloudbaserc.json is refused, saying why', async () => {
  const child = run(['start', '--project', tmpdir(), '--port', '0', '--in-memory']);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain('has no cloudbaserc.json: it is not a CloudBase project folder');
});
