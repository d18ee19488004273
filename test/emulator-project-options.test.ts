/**
 * What a project tells the emulator about itself (EmulatorOptions `envId`,
 * `passVariables`, `clockOffsetVariable`; quickphone's are scripts/lib/emulator-plugin.ts),
 * and what the package does when a project tells it nothing: its own defaults, none of
 * them quickphone's (issue 27). Seen from inside a container, as a function sees them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from './support/emulator';

const FIXTURES = join(__dirname, 'fixtures', 'functions');
const NAMES = ['TCB_ENV', 'QUICKPHONE_LOG', 'QUICKPHONE_CLOCK_OFFSET_MS', 'CLOUDBASE_EMULATOR_CLOCK_OFFSET_MS'];
const DAY_MS = 86_400_000;
// The emulator's clock a day ahead of real time: the offset a container is told.
const aDayAhead = () => Date.now() + DAY_MS;

type Seen = Record<string, string | null>;

test("quickphone's plugin: its env id, QUICKPHONE_LOG passed through, the clock offset under the name _shared/runtime/clock.ts reads", async () => {
  const t = await startEmulator({ functionsDir: FIXTURES, clock: aDayAhead, env: { QUICKPHONE_LOG: 'off' } });
  try {
    const seen = (await t.call('probe', { action: 'env', names: NAMES })) as Seen; // the fixture's probe is outside the contract
    expect(seen).toMatchObject({ TCB_ENV: 'quickphone-local', QUICKPHONE_LOG: 'off', CLOUDBASE_EMULATOR_CLOCK_OFFSET_MS: null });
    // Real time passes between reading the clock and the container's answer: a day, give or take a minute.
    expect(Math.abs(Number(seen.QUICKPHONE_CLOCK_OFFSET_MS) - DAY_MS)).toBeLessThan(60_000);
  } finally {
    await t.stop();
  }
});

test("a project that names nothing: cloudbaserc.json's envId, nothing passed through, the package's clock-offset variable", async () => {
  const root = mkdtempSync(join(tmpdir(), 'cloudbase-project-'));
  writeFileSync(join(root, 'cloudbaserc.json'), JSON.stringify({ envId: 'notes-dev-4f2a', functionRoot: './functions', functions: [] }));
  const t = await startEmulator({
    projectRoot: root,
    functionsDir: FIXTURES,
    collections: [],
    clock: aDayAhead,
    env: { QUICKPHONE_LOG: 'off' },
    // Undo what startEmulator takes from quickphone's plugin.
    envId: undefined,
    encodeEnv: undefined,
    passVariables: undefined,
    clockOffsetVariable: undefined,
    spPushToken: undefined,
  });
  try {
    expect(t.emulator.envId).toBe('notes-dev-4f2a');
    const seen = (await t.call('probe', { action: 'env', names: NAMES })) as Seen; // the fixture's probe is outside the contract
    expect(seen).toMatchObject({ TCB_ENV: 'notes-dev-4f2a', QUICKPHONE_LOG: null, QUICKPHONE_CLOCK_OFFSET_MS: null });
    expect(Math.abs(Number(seen.CLOUDBASE_EMULATOR_CLOCK_OFFSET_MS) - DAY_MS)).toBeLessThan(60_000);
  } finally {
    await t.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
