/**
 * What a CloudBase security rule lets a client do, for tests of the rules' meaning.
 * A rule value is a boolean or an expression over `auth` (the signed-in user: `openid`,
 * or null when not signed in) and `doc` (the document). This evaluates the subset the
 * project's rules use: literals (true, false, null, 'text', "text"), `auth.x`, `doc.x`,
 * `==`, `!=`, `&&`, `||`, `!` and parentheses; anything else throws, so a rule written
 * beyond it is noticed rather than guessed at. Cloud functions bypass rules entirely.
 */
export interface RuleContext {
  auth: { openid: string } | null;
  doc: Record<string, unknown>;
}

type Token = { kind: 'op' | 'lit' | 'path'; text: string; value?: unknown };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(==|!=|&&|\|\||!|\(|\))|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(true|false|null)\b|((?:auth|doc)(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*))/y;
  let at = 0;
  while (at < expr.length) {
    if (/^\s*$/.test(expr.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(expr);
    if (!m) throw new Error(`rule expression not understood at "${expr.slice(at)}"`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'lit', text: m[2], value: m[2].slice(1, -1) });
    else if (m[3]) tokens.push({ kind: 'lit', text: m[3], value: JSON.parse(m[3]) });
    else tokens.push({ kind: 'path', text: m[4]! });
  }
  return tokens;
}

export function evaluateRule(rule: boolean | string | undefined, ctx: RuleContext): boolean {
  if (rule === undefined) return false;
  if (typeof rule === 'boolean') return rule;
  const tokens = tokenize(rule);
  let i = 0;
  const peek = () => tokens[i]?.text;
  const value = (path: string): unknown => {
    const [root, ...rest] = path.split('.');
    let v: unknown = root === 'auth' ? ctx.auth : ctx.doc;
    for (const key of rest) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key];
    return v;
  };
  const primary = (): unknown => {
    const t = tokens[i++];
    if (!t) throw new Error(`rule "${rule}" ends early`);
    if (t.text === '(') {
      const v = or();
      if (tokens[i++]?.text !== ')') throw new Error(`rule "${rule}": missing )`);
      return v;
    }
    if (t.text === '!') return !primary();
    if (t.kind === 'lit') return t.value;
    if (t.kind === 'path') return value(t.text);
    throw new Error(`rule "${rule}": unexpected ${t.text}`);
  };
  const equality = (): unknown => {
    let left = primary();
    while (peek() === '==' || peek() === '!=') {
      const op = tokens[i++]!.text;
      const right = primary();
      // undefined and null compare equal, as a missing field or user is "null" to a rule.
      const same = (left ?? null) === (right ?? null);
      left = op === '==' ? same : !same;
    }
    return left;
  };
  const and = (): unknown => {
    let left = equality();
    while (peek() === '&&') {
      i++;
      const right = equality();
      left = Boolean(left) && Boolean(right);
    }
    return left;
  };
  const or = (): unknown => {
    let left = and();
    while (peek() === '||') {
      i++;
      const right = and();
      left = Boolean(left) || Boolean(right);
    }
    return left;
  };
  const result = or();
  if (i !== tokens.length) throw new Error(`rule "${rule}": unexpected ${tokens[i]!.text}`);
  return Boolean(result);
}
