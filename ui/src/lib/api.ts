// The one module that talks to the Tauri backend. Components call the typed functions below;
// nothing else imports @tauri-apps/*. Tests replace the backend with `setBackend`.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ApiError, Commands, ContactRecord, ErrorCode, IncidentRecord, OrganisationRecord, Progress } from './bindings';
import type { CaseFile } from './records';

export interface Backend {
  invoke(cmd: string, args: Record<string, unknown>): Promise<unknown>;
  listen(event: string, handler: (payload: unknown) => void): Promise<() => void>;
}

const tauriBackend: Backend = {
  invoke: (cmd, args) => invoke(cmd, args),
  listen: (event, handler) => listen(event, (e) => handler(e.payload)),
};

let backend: Backend = tauriBackend;

/** Replaces the backend (tests). */
export function setBackend(b: Backend): void {
  backend = b;
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && typeof (e as ApiError).code === 'string' && typeof (e as ApiError).message === 'string';
}

/** Whatever the backend threw, as an ApiError (Tauri reports bad arguments as plain strings). */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return { code: e.code, message: e.message, field: e.field ?? null };
  const text = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
  return { code: 'Io' as ErrorCode, message: text, field: null };
}

/** Whether `e` is the backend's error `code` (the type keeps `code` to the codes that exist). */
export function hasCode(e: unknown, code: ErrorCode): boolean {
  return isApiError(e) && e.code === code;
}

/**
 * Results the bindings leave as untyped maps, with their record types. The cast in `call` is safe:
 * the core sends whole rows of the kind's table (`contacts`, `organisations`, `incidents`; in the
 * person file the person, the case's records by kind and the organisations they name), and the
 * `…Record` types are generated from those same tables.
 */
interface Typed {
  contacts: ContactRecord[];
  organisations: OrganisationRecord[];
  incidents: IncidentRecord[];
  person_file: CaseFile;
}

export type Result<K extends keyof Commands> = K extends keyof Typed ? Typed[K] : Commands[K]['result'];

export async function call<K extends keyof Commands>(cmd: K, args: Commands[K]['args']): Promise<Result<K>> {
  try {
    return (await backend.invoke(cmd, args as Record<string, unknown>)) as Result<K>;
  } catch (e) {
    throw toApiError(e);
  }
}

export function onProgress(handler: (p: Progress) => void): Promise<() => void> {
  return backend.listen('progress', (p) => handler(p as Progress));
}

/**
 * Listens as `listen` does until the returned function is called, even before the listening
 * has begun (a screen left at once): for a screen's events, listened to once while it is shown
 * rather than around each command (a listen and an unlisten are two IPC round trips: 10 to
 * 25 ms of an import preview's time).
 */
export function whileShown(listen: Promise<() => void>): () => void {
  let stop: (() => void) | null = null;
  let gone = false;
  listen.then((s) => (gone ? s() : (stop = s))).catch(() => {});
  return () => {
    gone = true;
    stop?.();
    stop = null;
  };
}

/** Why the vault locked itself: nobody used the app, the computer is going to sleep, the screen locked. */
export type LockReason = 'idle' | 'sleep' | 'screen';

export function onLocked(handler: (reason: LockReason) => void): Promise<() => void> {
  return backend.listen('locked', (r) => handler(r === 'sleep' || r === 'screen' ? r : 'idle'));
}

/** A reminder's notification was clicked: the case it is about (none: several). */
export function onOpenCase(handler: (person: string | null) => void): Promise<() => void> {
  return backend.listen('open-case', (p) => handler(typeof p === 'string' ? p : null));
}
