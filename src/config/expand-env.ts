// `${VAR}` expansion on an already-parsed config tree (Compose interpolation rules).
// Substituted values are inserted literally: they are never re-parsed or re-expanded, so a
// value containing `}`, `${...}` or a newline cannot inject structure. Variables given in
// `vars` may reference each other (like a .env file); self-references and cycles raise
// ERR_CONFIG_CYCLE. Every recursion is depth-bounded, so hostile input cannot overflow the stack.
import { SwitchyardError, invalidOption, isSwitchyardError } from '../errors.js';
import { isPlainObject, optInteger } from '../internal/validate.js';

/** Options of {@link expandEnv} and {@link expandString}. */
export interface ExpandEnvOptions {
  /** Variables inserted literally, e.g. `process.env`. They win over {@link ExpandEnvOptions.vars}. @defaultValue {} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Variable definitions that may reference other variables with `${...}` (expanded on use). @defaultValue {} */
  readonly vars?: Readonly<Record<string, string>>;
  /** Deepest nesting of `${...}` in defaults and of variables referencing variables. @defaultValue 32 */
  readonly maxDepth?: number;
  /** Deepest nesting of objects and arrays in the tree. @defaultValue 64 */
  readonly maxTreeDepth?: number;
  /**
   * Most characters the expansion may produce over the whole tree (a subtree shared by several
   * parents, e.g. a YAML anchor, counts once). Variables that double each other would
   * otherwise grow to gigabytes. @defaultValue 16_777_216 (16 Mi chars)
   */
  readonly maxOutputChars?: number;
}

interface Ctx {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly vars: Readonly<Record<string, string>>;
  readonly maxDepth: number;
  readonly maxTreeDepth: number;
  readonly maxOutputChars: number;
  /** Characters produced so far (strings of the output tree and resolved variables). */
  produced: number;
  readonly resolved: Map<string, string>;
  /** Expanded copy of every object already walked: a shared subtree is walked once. */
  readonly done: Map<object, unknown>;
  readonly resolving: string[];
  path: string;
}

function configError(ctx: Ctx, message: string, code: 'ERR_CONFIG' | 'ERR_CONFIG_CYCLE' = 'ERR_CONFIG'): never {
  throw new SwitchyardError(code, ctx.path === '' ? message : `${message} (at \`${ctx.path}\`)`, { details: { path: ctx.path } });
}

function makeCtx(input: ExpandEnvOptions): Ctx {
  if (!isPlainObject(input)) invalidOption('options', 'an object', input);
  const options: ExpandEnvOptions = input;
  const env: unknown = options.env ?? {};
  const vars: unknown = options.vars ?? {};
  if (typeof env !== 'object' || env === null) invalidOption('env', 'an object', env);
  if (typeof vars !== 'object' || vars === null) invalidOption('vars', 'an object', vars);
  return {
    env: env as Readonly<Record<string, string | undefined>>,
    vars: vars as Readonly<Record<string, string>>,
    maxDepth: optInteger('maxDepth', options.maxDepth, 32, 1, 1000),
    maxTreeDepth: optInteger('maxTreeDepth', options.maxTreeDepth, 64, 1, 1000),
    maxOutputChars: optInteger('maxOutputChars', options.maxOutputChars, 16 * 1024 * 1024, 1, 2 ** 29),
    produced: 0,
    resolved: new Map(),
    done: new Map(),
    resolving: [],
    path: '',
  };
}

function own(record: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function lookup(name: string, ctx: Ctx, depth: number): string | undefined {
  const fromEnv = own(ctx.env, name);
  if (typeof fromEnv === 'string') return fromEnv;
  const def = own(ctx.vars, name);
  if (typeof def !== 'string') return undefined;
  const done = ctx.resolved.get(name);
  if (done !== undefined) return done;
  if (ctx.resolving.includes(name)) {
    const chain = [...ctx.resolving.slice(ctx.resolving.indexOf(name)), name].join(' -> ');
    configError(ctx, `Variable \`${name}\` refers to itself (${chain})`, 'ERR_CONFIG_CYCLE');
  }
  if (ctx.resolving.length >= ctx.maxDepth) configError(ctx, `Variables reference each other deeper than ${ctx.maxDepth} levels`);
  ctx.resolving.push(name);
  const value = expand(def, ctx, depth + 1);
  ctx.resolving.pop();
  ctx.resolved.set(name, value);
  return value;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/** Index of the `}` closing a `${` whose body starts at `from`, or -1. */
function closingBrace(s: string, from: number): number {
  let level = 0;
  for (let m = from; m < s.length; m++) {
    const c = s[m];
    if (c === '$' && (s[m + 1] === '$' || s[m + 1] === '{')) {
      if (s[m + 1] === '{') level++;
      m++;
    } else if (c === '}') {
      if (level === 0) return m;
      level--;
    }
  }
  return -1;
}

/** Fails before a string would push the output past `maxOutputChars` (checked before concatenating). */
function room(ctx: Ctx, out: string, add: number): void {
  if (ctx.produced + out.length + add > ctx.maxOutputChars) {
    configError(ctx, `Expansion produces more than ${ctx.maxOutputChars} characters (maxOutputChars)`);
  }
}

function expand(s: string, ctx: Ctx, depth: number): string {
  if (depth > ctx.maxDepth) configError(ctx, `\`\${...}\` nested deeper than ${ctx.maxDepth} levels`);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const dollar = s.indexOf('$', i);
    if (dollar === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, dollar);
    const next = s[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      i = dollar + 1;
      continue;
    }
    let j = dollar + 2;
    while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
    const name = s.slice(dollar + 2, j);
    if (name === '' || /^[0-9]/.test(name)) configError(ctx, 'Invalid variable reference: expected a name after `${`');
    if (s[j] === '}') {
      const v = lookup(name, ctx, depth);
      if (v === undefined) configError(ctx, `Variable \`${name}\` is not set and has no default`);
      room(ctx, out, v.length);
      out += v;
      i = j + 1;
      continue;
    }
    const colon = s[j] === ':';
    const op = s[colon ? j + 1 : j];
    if (op !== '-' && op !== '?') configError(ctx, `Invalid operator after \`\${${name}\`: expected \`}\`, \`:-\`, \`-\`, \`:?\` or \`?\``);
    const wordStart = j + (colon ? 2 : 1);
    const end = closingBrace(s, wordStart);
    if (end === -1) configError(ctx, `Unterminated \`\${${name}...\``);
    const v = lookup(name, ctx, depth);
    const missing = v === undefined || (colon && v === '');
    if (!missing) {
      room(ctx, out, v.length);
      out += v;
    } else if (op === '-') {
      const d = expand(s.slice(wordStart, end), ctx, depth + 1);
      room(ctx, out, d.length);
      out += d;
    }
    else {
      // The message is the config author's text, shown without expansion (no values echoed).
      const message = s.slice(wordStart, end);
      configError(ctx, `Variable \`${name}\` is required${message === '' ? '' : `: ${message.slice(0, 200)}`}`);
    }
    i = end + 1;
  }
  return out;
}

function walk(node: unknown, ctx: Ctx, depth: number, seen: Set<object>): unknown {
  if (typeof node === 'string') {
    const out = expand(node, ctx, 0);
    ctx.produced += out.length;
    return out;
  }
  if (typeof node !== 'object' || node === null) return node;
  const isArray = Array.isArray(node);
  if (!isArray && !isPlainObject(node)) return node;
  // a subtree reachable from several parents (YAML anchors/aliases) is expanded once and its
  // copy shared, as in the input; walking it per path would cost 2^depth
  if (ctx.done.has(node)) return ctx.done.get(node);
  if (depth >= ctx.maxTreeDepth) configError(ctx, `Configuration nested deeper than ${ctx.maxTreeDepth} levels`);
  if (seen.has(node)) configError(ctx, 'Configuration contains a reference cycle', 'ERR_CONFIG_CYCLE');
  seen.add(node);
  // every slot costs at least one unit of the output bound, so a sparse `new Array(2 ** 32 - 1)` is refused, not walked
  const slots = isArray ? node.length : Object.keys(node).length;
  if (ctx.produced + slots > ctx.maxOutputChars) configError(ctx, `Configuration has more than ${ctx.maxOutputChars} values (maxOutputChars)`);
  ctx.produced += slots;
  const base = ctx.path;
  let out: unknown;
  if (isArray) {
    out = node.map((item, idx) => {
      ctx.path = `${base}[${idx}]`;
      return walk(item, ctx, depth + 1, seen);
    });
  } else {
    const obj: Record<string, unknown> = {};
    for (const key of Object.keys(node)) {
      ctx.path = base === '' ? key : `${base}.${key}`;
      // defineProperty: a `__proto__` key stays a plain own property.
      Object.defineProperty(obj, key, { value: walk((node as Record<string, unknown>)[key], ctx, depth + 1, seen), enumerable: true, writable: true, configurable: true });
    }
    out = obj;
  }
  ctx.path = base;
  seen.delete(node);
  ctx.done.set(node, out);
  return out;
}

/**
 * Expands `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}` (unset),
 * `${VAR:?message}` / `${VAR?message}` (required) and `$$` (a literal `$`) in every string of
 * an already-parsed tree (keys are left alone). Returns a new tree; the input is not modified.
 * An unset variable without a default is an error. Error messages name variables, never values.
 *
 * @param tree - parsed configuration (objects, arrays, strings, numbers, ...)
 * @param options - variables and limits
 * @returns the expanded copy
 * @throws {@link SwitchyardError} `ERR_CONFIG` (unset variable, bad syntax, too deep),
 *   `ERR_CONFIG_CYCLE` (a variable that refers to itself, or a cyclic tree)
 * @example
 * ```ts
 * expandEnv({ url: '${BASE:-http://localhost:8000}/v1' }, { env: process.env });
 * ```
 */
export function expandEnv<T>(tree: T, options: ExpandEnvOptions = {}): T {
  const ctx = makeCtx(options);
  try {
    return walk(tree, ctx, 0, new Set()) as T;
  } catch (e) {
    if (isSwitchyardError(e)) throw e;
    // a getter or Proxy trap of the caller's tree threw
    throw new SwitchyardError('ERR_CONFIG', `Configuration could not be read${ctx.path === '' ? '' : ` at \`${ctx.path}\``} (a getter or Proxy trap threw)`, { cause: e, details: { path: ctx.path } });
  }
}

/**
 * Expands one string with the rules of {@link expandEnv}.
 * @param value - the string
 * @param options - variables and limits
 * @throws {@link SwitchyardError} `ERR_CONFIG`, `ERR_CONFIG_CYCLE`
 */
export function expandString(value: string, options: ExpandEnvOptions = {}): string {
  if (typeof value !== 'string') invalidOption('value', 'a string', value);
  return expand(value, makeCtx(options), 0);
}
