/**
 * One declaration per shape on the wire. The contract (miniprogram/contract) is where a
 * route's input and output are declared; the functions may hold a shape differently (real
 * dates, a stored-only field), but they derive it from the contract's type instead of
 * declaring it again by hand, so a change on one side cannot leave the other behind.
 *
 * The check: a type a function file declares (exported or not) under a name the contract exports must
 * come from the contract — that file imports the name (or `Name as …OnTheWire`) from it —
 * or be a route schema's inferred type, which the router already holds to the contract
 * (a schema that drifts from its entry fails to compile: cloudfunctions/_shared/runtime/router.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

const DECLARED = /^(?:export )?(?:interface|type) (\w+)(.*)$/gm;

function declaredTypes(source: string): string[] {
  return [...source.matchAll(DECLARED)].map((m) => m[1]!);
}

/** Types declared by hand: not a schema's inferred output (`= v.InferOutput<typeof schema>`). */
function handDeclaredTypes(source: string): string[] {
  return [...source.matchAll(DECLARED)].filter((m) => !/^\s*=\s*v\.Infer(?:Output|Input)</.test(m[2]!)).map((m) => m[1]!);
}

/** Names a file imports from the contract (`import type { A, B as C } from '…/miniprogram/contract…'`, or `'../contract'`). */
function importedFromContract(source: string): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/import (?:type )?\{([^}]*)\} from '[./]*(?:miniprogram\/)?contract(?:\/\w+)?'/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0];
      if (name) names.add(name);
    }
  }
  return names;
}

const contractNames = new Set(tsFiles(join(root, 'miniprogram', 'contract')).flatMap((f) => declaredTypes(readFileSync(f, 'utf8'))));

test('the contract declares the shapes the routes answer with (the check has something to check)', () => {
  expect(contractNames).toContain('UsageSummary');
  expect(contractNames).toContain('CheckReport');
});

test('no function or mini program file declares by hand a type the contract declares', () => {
  const handMade: string[] = [];
  const contractDir = join(root, 'miniprogram', 'contract');
  const files = [...tsFiles(join(root, 'cloudfunctions')), ...tsFiles(join(root, 'miniprogram')).filter((f) => !f.startsWith(contractDir))];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const fromContract = importedFromContract(source);
    for (const name of handDeclaredTypes(source)) {
      if (contractNames.has(name) && !fromContract.has(name)) handMade.push(`${relative(root, file)}: ${name}`);
    }
  }
  expect(handMade).toEqual([]);
});
