import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateRule } from './rule-meaning';

const RULES_DIR = join(__dirname, '..', '..', 'database-rules');
const rules = Object.fromEntries(
  readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [
      f.slice(0, -5),
      JSON.parse(readFileSync(join(RULES_DIR, f), 'utf8')) as { read: boolean | string; write: boolean | string },
    ]),
);

const alice = { openid: 'o_alice' };
/** A document as the functions store it in each collection, owned by Alice where that applies. */
const aliceDoc = { _id: 'o_alice', _openid: 'o_alice' };

test('the evaluator reads the rule forms the project uses', () => {
  expect(evaluateRule(true, { auth: null, doc: {} })).toBe(true);
  expect(evaluateRule('doc._openid == auth.openid', { auth: alice, doc: aliceDoc })).toBe(true);
  expect(evaluateRule('doc._openid == auth.openid', { auth: { openid: 'o_bob' }, doc: aliceDoc })).toBe(false);
  expect(evaluateRule('doc._openid == auth.openid', { auth: null, doc: {} })).toBe(true); // both null: why rules must not lean on a missing field
  expect(evaluateRule('auth != null && (doc.public == true || doc._openid == auth.openid)', { auth: alice, doc: { public: true } })).toBe(
    true,
  );
  expect(() => evaluateRule('get("x")', { auth: alice, doc: {} })).toThrow(/not understood/);
});

test('settings (admin openids, budgets, breaker state) are not readable by any client, signed in or not', () => {
  const settings = { _id: 'global', adminOpenids: ['o_boss'], budget: { monthlyFen: 10000 }, breakers: { quota: { open: true } } };
  for (const auth of [alice, { openid: 'o_boss' }, null]) expect(evaluateRule(rules.settings!.read, { auth, doc: settings })).toBe(false);
  expect(evaluateRule(rules.settings!.write, { auth: alice, doc: settings })).toBe(false);
});

test('users are not readable by clients, not even their own record (the number reaches the client only masked, through auth)', () => {
  const own = { ...aliceDoc, phone: { phoneNumber: '13800138000' } };
  expect(evaluateRule(rules.users!.read, { auth: alice, doc: own })).toBe(false);
  expect(evaluateRule(rules.users!.read, { auth: { openid: 'o_bob' }, doc: own })).toBe(false);
  expect(evaluateRule(rules.users!.write, { auth: alice, doc: own })).toBe(false);
});

test('no client may write any collection, and none may be read directly (orders go through orders.list)', () => {
  const readable: string[] = [];
  for (const [collection, rule] of Object.entries(rules)) {
    for (const auth of [alice, null])
      expect({ collection, write: evaluateRule(rule.write, { auth, doc: aliceDoc }) }).toEqual({ collection, write: false });
    if (evaluateRule(rule.read, { auth: alice, doc: aliceDoc })) readable.push(collection);
    // Nobody reads someone else's document.
    expect({ collection, othersDoc: evaluateRule(rule.read, { auth: { openid: 'o_bob' }, doc: aliceDoc }) }).toEqual({
      collection,
      othersDoc: false,
    });
  }
  expect(readable).toEqual([]);
});
