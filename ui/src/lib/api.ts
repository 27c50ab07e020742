// The one module that talks to the Tauri backend. Components call the typed functions below;
// nothing else imports @tauri-apps/*. Tests replace the backend with `setBackend`.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ApiError, Commands, ErrorCode, Progress } from './bindings';

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

export async function call<K extends keyof Commands>(cmd: K, args: Commands[K]['args']): Promise<Commands[K]['result']> {
  try {
    return (await backend.invoke(cmd, args as Record<string, unknown>)) as Commands[K]['result'];
  } catch (e) {
    throw toApiError(e);
  }
}

export function onProgress(handler: (p: Progress) => void): Promise<() => void> {
  return backend.listen('progress', (p) => handler(p as Progress));
}

export function onLocked(handler: () => void): Promise<() => void> {
  return backend.listen('locked', () => handler());
}
