/**
 * `npm run bench -- --push [--runs N]`: what a refusal costs on the provider's public
 * push URL. Times `readPush` (the pure reader the function runs first) in this process,
 * median and worst of N runs, for the bodies an attacker would send:
 *
 * - unsigned, 350 KB and 1 MB of `<a><![CDATA[` openers (a backtracking parser rescans
 *   the rest of the body for each one: the 3–5 s / 20 s refusals of issue 24);
 * - signed query (a captured one, replayed within its window) with a 1 MB body: refused
 *   on size;
 * - signed query with the same pathological XML just under the size cap: the most the
 *   parser is ever asked to do;
 * - a genuine signed push, for scale.
 *
 * Prints a table and writes bench/push.json. No emulator: the function's own HTTP
 * access wrapper adds a constant on top.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from './lib/cloudbaserc';
import { MAX_PUSH_BODY_CHARS, readPush, type PushInput } from '../cloudfunctions/_shared/domain/provider-push';
import { signedPush } from '../packages/cloudbase-emulator/src/wechat/provider-push';
import { percentile } from './bench';

const TOKEN = 'bench-token';
const NOW = 1_714_037_059_000;
const secrets = { token: TOKEN, encodingAesKey: null, appid: null, maxAgeSeconds: 300 };
const opener = '<a><![CDATA[';
const pathological = (chars: number) => `<xml>${opener.repeat(Math.floor((chars - 11) / opener.length))}</xml>`;

function time(input: PushInput, runs: number): { p50: number; max: number; outcome: string } {
  const ms: number[] = [];
  let outcome = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const reading = readPush(input, secrets, NOW);
    ms.push(performance.now() - t0);
    outcome = reading.kind === 'refused' ? `${reading.status} ${reading.reason}` : reading.kind;
  }
  const sorted = ms.sort((a, b) => a - b);
  return { p50: Number(percentile(sorted, 50).toFixed(3)), max: Number(sorted.at(-1)!.toFixed(3)), outcome };
}

export async function pushBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '21' }, push: { type: 'boolean' } } });
  const runs = Number(values.runs);
  const genuine = signedPush(
    { event_type: 5, result: 0, request_id: 'qp0123456789abcdef' },
    { token: TOKEN, encodingAesKey: null, format: 'xml', appid: 'wx' },
    NOW,
  );
  const signed = { method: 'POST', query: genuine.query };
  const unsigned = { method: 'POST', query: { ...genuine.query, signature: '0'.repeat(40) } };
  const cases: Record<string, PushInput> = {
    'unsigned, 350 KB pathological XML': { ...unsigned, body: pathological(350_000) },
    'unsigned, 1 MB pathological XML': { ...unsigned, body: pathological(1_000_000) },
    'signed query, 1 MB body': { ...signed, body: pathological(1_000_000) },
    [`signed query, pathological XML at the cap (${MAX_PUSH_BODY_CHARS} chars)`]: { ...signed, body: pathological(MAX_PUSH_BODY_CHARS) },
    'genuine signed XML push': { ...signed, body: genuine.body },
  };
  const results = Object.fromEntries(Object.entries(cases).map(([name, input]) => [name, time(input, runs)]));
  const out = join(PROJECT_ROOT, 'bench', 'push.json');
  mkdirSync(join(PROJECT_ROOT, 'bench'), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), runs, node: process.version, results }, null, 2)}\n`);
  const width = Math.max(...Object.keys(results).map((k) => k.length));
  for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(width)}  p50 ${r.p50} ms, max ${r.max} ms  (${r.outcome})`);
  console.log(`\nwritten to ${out}`);
}
