import { SwitchyardError, invalidOption } from '../errors.js';
import { isPlainObject } from './validate.js';

// Options grouped by concern (ApiMap's `breaker` / `retry`, the classifier's `llm`, `scan`...)
// replaced some 0.1 flat names. These helpers move a deprecated flat name onto its nested place
// once, before validation, so errors and resolved options only ever use the nested name.

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
    if (group[key] !== undefined) {
      throw new SwitchyardError('ERR_INVALID_OPTION', `Expected one of \`${flat}\` (deprecated) and \`${nested}\`, got both; give only \`${nested}\``, {
        details: { option: nested, deprecated: flat },
      });
    }
    group[key] = value;
  }
  return out ?? options;
}
