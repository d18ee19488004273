/**
 * `npm start`: builds the functions, then serves the emulator on 127.0.0.1 with data
 * kept under QUICKPHONE_DATA_DIR (default .quickphone/). Ctrl-C saves and exits.
 */
import { join } from 'node:path';
import { buildAll } from '../scripts/build';
import { loadDotEnv, PROJECT_ROOT } from '../scripts/lib/cloudbaserc';
import { Emulator } from './emulator';

async function main(): Promise<void> {
  loadDotEnv();
  const built = await buildAll();
  const port = Number(process.env.QUICKPHONE_PORT ?? 9100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`QUICKPHONE_PORT must be a port number, got "${process.env.QUICKPHONE_PORT}"`);
  const dataDir = process.env.QUICKPHONE_DATA_DIR ?? join(PROJECT_ROOT, '.quickphone');
  const emulator = new Emulator({
    port,
    dataDir,
    onLog: (fn, line) => console.log(`[${fn}] ${line}`),
  });
  const url = await emulator.start();

  console.log(`quickphone emulator on ${url}  (env ${emulator.envId}, appid ${emulator.appid})`);
  console.log(`  functions  ${built.map((b) => b.name).join(', ')}   → POST ${url}/v1/functions/<name>/invoke`);
  console.log(`  gateway    ${url}/admin   (wx-server-sdk / @cloudbase/node-sdk protocol)`);
  console.log(`  WeChat     ${url}/v1/wechat/phone-codes, ${url}/v1/wechat/charges`);
  console.log(`  data       ${dataDir}`);
  console.log('Ctrl-C to stop (data is saved).');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: saving and stopping…`);
    emulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
