import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectEnvId, readProject } from './project';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cloudbaserc-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (rc: unknown) => writeFileSync(join(root, 'cloudbaserc.json'), JSON.stringify(rc));

test("the env id is the file's envId, `{{env.X}}` filled from the environment; none when it fills to nothing", () => {
  write({ envId: '{{env.TCB_ENV_ID}}', functions: [] });
  expect(projectEnvId(root, { TCB_ENV_ID: 'shop-prod-7d3e' })).toBe('shop-prod-7d3e');
  expect(projectEnvId(root, {})).toBeNull();
  write({ functions: [] });
  expect(projectEnvId(root, {})).toBeNull();
});

test('a folder without cloudbaserc.json has no env id, and is refused as a project, saying why', () => {
  expect(projectEnvId(root, {})).toBeNull();
  expect(() => readProject(root, {})).toThrow('has no cloudbaserc.json: it is not a CloudBase project folder');
});

test('variables: placeholders filled value by value (quotes stay text), names listed under `variables` given their values', () => {
  write({
    envId: 'e',
    functions: [
      {
        name: 'notes',
        handler: 'index.main',
        runtime: 'Nodejs18.15',
        envVariables: { GREETING: '{{env.G}}!' },
        variables: ['SECRET', 'UNSET'],
      },
    ],
  });
  const project = readProject(root, { G: 'say "hi"', SECRET: 'a\\b' });
  expect(project.functions).toEqual([
    { name: 'notes', timeout: undefined, memorySize: undefined, envVariables: { GREETING: 'say "hi"!', SECRET: 'a\\b', UNSET: '' } },
  ]);
  expect(project.functionRoot).toBe(join(root, 'functions'));
});
