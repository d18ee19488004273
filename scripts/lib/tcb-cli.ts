/**
 * The CloudBase CLI as the deploy runs it: logged in once with the API key into a
 * throwaway HOME (its credential store, ~/.config/.cloudbase/auth.json, is what
 * `tcb fn deploy` reads; 2.12.10 never reads TENCENTCLOUD_SECRETID/SECRETKEY from the
 * environment), the key passed on stdin and never on a command line, and every run's
 * output read for the failures the CLI prints while still exiting 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TcbRun {
  code: number;
  output: string;
}

export interface TcbCli {
  /** Logs in with the API key; throws with the CLI's words when it refuses. */
  login(): Promise<void>;
  run(args: string[]): Promise<TcbRun>;
  /** Removes the throwaway HOME (and the stored key with it). */
  dispose(): void;
}

/**
 * Lines that mean a CLI run failed even though it exited 0: its ✖ lines, "部署失败"
 * (deploy failed), and any sign of an interactive login (device-code or browser
 * authorisation, or the CLI finding no stored identity).
 */
export function cliFailures(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /✖|部署失败|No valid identity|身份信息/i.test(line) || LOGIN_PROMPT.test(line));
}

/** The CLI starting an interactive (device-code or browser) login: it would wait for a person. */
const LOGIN_PROMPT = /请在浏览器|浏览器中打开|device\/code|user_code|verification_uri/i;

/** The keys must not reach the CLI another way than its own store. */
function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CI: 'true' };
  delete env.TENCENTCLOUD_SECRETID;
  delete env.TENCENTCLOUD_SECRETKEY;
  delete env.TENCENTCLOUD_SESSIONTOKEN;
  return env;
}

export function realTcb(options: {
  secretId: string;
  secretKey: string;
  cwd: string;
  echo?: (text: string) => void;
  /** Added to the CLI's environment (tests: the stand-in's redirect). */
  env?: Record<string, string>;
}): TcbCli {
  const home = mkdtempSync(join(tmpdir(), 'quickphone-tcb-home-'));
  const spawnCli = (argv: string[], stdin?: string) =>
    new Promise<TcbRun>((resolve, reject) => {
      const child = spawn(process.execPath, argv, {
        cwd: options.cwd,
        env: { ...childEnv(home), ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        options.echo?.(chunk.toString());
        // Nobody will open that page: stop now instead of waiting for the code to expire.
        if (LOGIN_PROMPT.test(chunk.toString())) child.kill();
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? 1, output }));
      // A closed stdin: a prompt the CLI might open gets end-of-input instead of waiting forever.
      child.stdin.end(stdin ?? '');
    });
  return {
    async login() {
      const { code, output } = await spawnCli(
        [join(__dirname, 'tcb-login.cjs')],
        JSON.stringify({ secretId: options.secretId, secretKey: options.secretKey }),
      );
      const store = join(home, '.config', '.cloudbase', 'auth.json');
      const stored = existsSync(store) && readFileSync(store, 'utf8').includes(JSON.stringify(options.secretId));
      if (code !== 0 || !stored || cliFailures(output).length)
        throw new Error(
          `tcb login with the API key failed (exit ${code}): ${cliFailures(output).join(' / ') || output.trim().split('\n').at(-1) || 'no output'}`,
        );
    },
    run: (args) => spawnCli([require.resolve('@cloudbase/cli/bin/tcb'), ...args]),
    dispose: () => rmSync(home, { recursive: true, force: true }),
  };
}
