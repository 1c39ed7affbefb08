import type { EventEmitter } from 'eventemitter3';

// Events renamed before 1.0 keep their old name for one minor version: the emitter fires the new
// name, then the old one, so listeners of either hear it. Listener counts are checked first so a
// rename costs nothing when nobody listens (most events sit on hot paths).

/**
 * Emits `name`, then its deprecated alias `oldName`, each only when it has listeners.
 *
 * @internal
 */
export function emitRenamed<E extends EventEmitter.ValidEventTypes, K extends EventEmitter.EventNames<E>>(
  emitter: EventEmitter<E>,
  name: K,
  oldName: EventEmitter.EventNames<E>,
  ...args: EventEmitter.EventArgs<E, K>
): void {
  if (emitter.listenerCount(name) > 0) emitter.emit(name, ...args);
  // The alias carries the same payload by construction (its map entry repeats the new one's).
  if (emitter.listenerCount(oldName) > 0) (emitter.emit as (n: typeof oldName, ...a: unknown[]) => boolean)(oldName, ...args);
}
