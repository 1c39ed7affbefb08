import { SwitchyardError, invalidOption } from '../errors.js';
import { isPlainObject } from './validate.js';

// Options renamed before 1.0 keep their old name until 0.3.0. A renamed top-level option
// (`now` -> `wallClock`) is read through optRenamed(); a flat name that moved into a group (the
// classifier's `classifierTimeoutMs` -> `llm.timeoutMs`) is moved onto its nested place once,
// before validation, by nestFlatOptions(). Either way errors and resolved options use only the
// new name, and giving both names for one setting is ERR_INVALID_OPTION naming both.

/** One deprecated flat option name and the nested path that replaced it. @internal */
export type FlatAlias = readonly [flat: string, group: string, key: string];

/**
 * The group object at `path` (dotted) of `options`: `{}` when absent.
 * @throws ERR_INVALID_OPTION when it is present but not a plain object
 * @internal
 */
export function optGroup(options: Record<string, unknown>, path: string): Record<string, unknown> {
  let at: unknown = options;
  for (const key of path.split('.')) {
    at = (at as Record<string, unknown>)[key];
    if (at === undefined) return {};
    if (!isPlainObject(at)) invalidOption(path, 'an object', at);
  }
  return at as Record<string, unknown>;
}

/**
 * `options` with every deprecated flat name moved onto its nested path (copies, never mutates the
 * caller's objects); `options` itself when no flat name is given.
 * @throws ERR_INVALID_OPTION when a setting is given under both names, or a group is not an object
 * @internal
 */
export function nestFlatOptions(options: Record<string, unknown>, aliases: readonly FlatAlias[]): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const copied = new Set<string>();
  for (const [flat, path, key] of aliases) {
    const value = options[flat];
    if (value === undefined) continue;
    out ??= { ...options };
    delete out[flat];
    let group: Record<string, unknown> = out;
    let walked = '';
    for (const part of path.split('.')) {
      walked = walked === '' ? part : `${walked}.${part}`;
      const inner = group[part];
      if (inner !== undefined && !isPlainObject(inner)) invalidOption(walked, 'an object', inner);
      if (!copied.has(walked)) {
        group[part] = { ...inner };
        copied.add(walked);
      }
      group = group[part] as Record<string, unknown>;
    }
    const nested = `${path}.${key}`;
    if (group[key] !== undefined) bothGiven(flat, nested);
    group[key] = value;
  }
  return out ?? options;
}

/**
 * The value of option `name`, or of its deprecated former name `oldName` when only that is given.
 * @throws ERR_INVALID_OPTION when both are given
 * @internal
 */
export function optRenamed(options: Readonly<Record<string, unknown>>, name: string, oldName: string): unknown {
  const value = options[name];
  const old = options[oldName];
  if (old === undefined) return value;
  if (value !== undefined) bothGiven(oldName, name);
  return old;
}

function bothGiven(oldName: string, name: string): never {
  throw new SwitchyardError('ERR_INVALID_OPTION', `Expected one of \`${oldName}\` (deprecated) and \`${name}\`, got both; give only \`${name}\``, {
    details: { option: name, deprecated: oldName },
  });
}
