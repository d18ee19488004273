/**
 * `npm start`'s first seconds, as a newcomer meets them: `.env` is read without
 * overriding the shell and its names (never values) are what the banner reports; a port
 * already taken and an export git would track stop the start with a way out.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Runs scripts/start.ts as `npm start` does (without building) and answers how it ended. */
function start(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts'), '--no-build', '--in-memory', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

test('.env: its names are reported, its values never override the shell, no file reads nothing', () => {
  // In a child process: loadDotEnv writes the real process.env, which jest keeps from a test file.
  const dir = mkdtempSync(join(tmpdir(), 'quickphone-dotenv-'));
  const load = () =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const { loadDotEnv } = require('./scripts/lib/cloudbaserc');
           const names = loadDotEnv(${JSON.stringify(dir)});
           console.log(JSON.stringify({ names, fromFile: process.env.QP_FROM_FILE, inShell: process.env.QP_IN_SHELL }));`,
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', QP_IN_SHELL: 'from-shell' }, encoding: 'utf8' },
      ),
    ) as { names: string[]; fromFile?: string; inShell?: string };
  try {
    expect(load()).toEqual({ names: [], inShell: 'from-shell' });
    writeFileSync(join(dir, '.env'), 'QP_FROM_FILE=from-file\nQP_IN_SHELL="from-file"\n');
    expect(load()).toEqual({ names: ['QP_FROM_FILE', 'QP_IN_SHELL'], fromFile: 'from-file', inShell: 'from-shell' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port already in use stops the start, naming CLOUDBASE_EMULATOR_PORT and --port', async () => {
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = taken.address() as { port: number };
    const { code, stderr } = await start(['--port', String(port)]);
    expect(code).toBe(1);
    expect(stderr).toContain('EADDRINUSE');
    expect(stderr).toContain(`holds port ${port}`);
    expect(stderr).toContain(`CLOUDBASE_EMULATOR_PORT=${port + 1} npm start`);
    expect(stderr).toContain(`npm start -- --port ${port + 1}`);
  } finally {
    taken.close();
  }
});

test('an export to a .json file inside the clone is refused before anything runs', async () => {
  const { code, stderr } = await start(['--port', '0', '--export-on-exit', 'snapshot.json']);
  expect(code).toBe(1);
  expect(stderr).toContain('--export-on-exit: snapshot.json would be a file git tracks, and an export holds raw phone numbers');
});
