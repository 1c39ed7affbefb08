// The router's event map (eventemitter3 generics, `noun:verb` names) and its event payloads.
import type { EventEmitter } from 'eventemitter3';
import type { SwitchyardError } from '../errors.js';
import type { RouteUpdateMessage } from '../gossip/route-update.js';
import type { RouteUpdateRejectedEvent } from '../gossip/update-result.js';
import type { FitProgressEvent, FitReport } from '../learn/fit-router.js';
import type { Project } from './project-spec.js';
import type { RouteResult } from './route-result.js';

/** Payload of `project:upserted`. */
export interface ProjectUpsertedEvent {
  /** The stored project. */
  readonly project: Project;
  /** Whether the model path was new. */
  readonly action: 'add' | 'update';
}

/** Payload of `project:removed`. */
export interface ProjectRemovedEvent {
  /** Model path of the removed project. */
  readonly modelPath: string;
}

/** Events of {@link FastProjectRouter} (eventemitter3, `noun:verb`). */
export interface FastProjectRouterEvents {
  /** Every routing decision (emitted only when someone listens). */
  'route:selected': [result: RouteResult];
  /** A project was added or replaced. */
  'project:upserted': [event: ProjectUpsertedEvent];
  /** A project was removed. */
  'project:removed': [event: ProjectRemovedEvent];
  /** Saving the embedding cache (`cachePath`) or the learned rows beside it failed; routing is unaffected. */
  'cache:failed': [error: SwitchyardError];
  /** @deprecated Use `'cache:failed'`. Removed in 0.3.0. */
  'cache:error': [error: SwitchyardError];
  /** A local {@link FastProjectRouter.upsertProject} / {@link FastProjectRouter.removeProject}: the route update to broadcast. */
  'update:published': [message: RouteUpdateMessage];
  /** @deprecated Use `'update:published'`. Removed in 0.3.0. */
  'update:outbound': [message: RouteUpdateMessage];
  /** A route update (or state entry) from a peer won and changed the route table. */
  'update:applied': [message: RouteUpdateMessage];
  /** A route update could not be used (invalid, outside the clock window, alias conflict, embedder failure). */
  'update:rejected': [event: RouteUpdateRejectedEvent];
  /** One epoch of {@link FastProjectRouter.fit} finished. */
  'fit:progress': [event: FitProgressEvent];
  /** {@link FastProjectRouter.fit} swapped the learned rows in (or, `adopt: 'auto'`, kept the unfitted ones). */
  'fit:done': [report: FitReport];
  /** A background fit (auto-fit or refit) failed; routing continues with the rows it had. */
  'fit:failed': [error: SwitchyardError];
  /** @deprecated Use `'fit:failed'`. Removed in 0.3.0. */
  'fit:error': [error: SwitchyardError];
}

/** Emits `project:upserted` or `project:removed` for a registry change (only when someone listens). @internal */
export function emitProjectChange(events: EventEmitter<FastProjectRouterEvents>, project: Project, action: 'add' | 'update' | 'remove'): void {
  if (action === 'remove') {
    if (events.listenerCount('project:removed') > 0) events.emit('project:removed', { modelPath: project.modelPath });
  } else if (events.listenerCount('project:upserted') > 0) events.emit('project:upserted', { project, action });
}
