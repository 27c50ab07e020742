import { describe, expect, it, vi } from 'vitest';

// The Tauri modules are never reached: the backend is replaced.
vi.mock('@tauri-apps/api/core', () => ({ invoke: () => Promise.reject(new Error('no Tauri in tests')) }));
vi.mock('@tauri-apps/api/event', () => ({ listen: () => Promise.resolve(() => {}) }));

import { call, hasCode, isApiError, onLocked, onProgress, setBackend, toApiError, whileShown } from './api';

describe('whileShown', () => {
  /** A listening that begins when `begin` is called, counting its ends. */
  function listening() {
    const state = { begin: () => {}, stopped: 0 };
    const listen = new Promise<() => void>((resolve) => (state.begin = () => resolve(() => state.stopped++)));
    return { state, listen };
  }

  it('stops the listening once begun, once', async () => {
    const { state, listen } = listening();
    const stop = whileShown(listen);
    state.begin();
    await listen;
    await Promise.resolve();
    expect(state.stopped).toBe(0);
    stop();
    stop();
    expect(state.stopped).toBe(1);
  });

  it('stops a listening that begins after the screen is gone', async () => {
    const { state, listen } = listening();
    whileShown(listen)();
    expect(state.stopped).toBe(0);
    state.begin();
    await listen;
    await Promise.resolve();
    expect(state.stopped).toBe(1);
  });
});

describe('the IPC client', () => {
  it('passes the command and its arguments, and returns the result', async () => {
    const seen: Array<[string, unknown]> = [];
    setBackend({
      invoke: async (cmd, args) => {
        seen.push([cmd, args]);
        return cmd === 'search' ? { persons: [], notes: [] } : null;
      },
      listen: async () => () => {},
    });
    const r = await call('search', { query: 'Colibri' });
    expect(r).toEqual({ persons: [], notes: [] });
    expect(seen).toEqual([['search', { query: 'Colibri' }]]);
  });

  it('turns the backend’s errors into { code, message, field }', async () => {
    setBackend({
      invoke: async () => {
        throw { code: 'Invalid', message: 'La date de naissance est mal écrite.', field: 'birth_date' };
      },
      listen: async () => () => {},
    });
    await expect(call('add_record', { args: { kind: 'person', id: null, fields: {} } })).rejects.toEqual({
      code: 'Invalid', message: 'La date de naissance est mal écrite.', field: 'birth_date',
    });
  });

  it('wraps what Tauri itself throws (plain strings) as an error with a message', () => {
    const e = toApiError('invalid args `args` for command `unlock`');
    expect(isApiError(e)).toBe(true);
    expect(e.message).toContain('unlock');
    expect(e.field).toBeNull();
  });

  it('tells one error code from another', () => {
    const e = { code: 'ConsentMissing', message: 'Aucun consentement…', field: null };
    expect(hasCode(e, 'ConsentMissing')).toBe(true);
    expect(hasCode(e, 'UnverifiedSender')).toBe(false);
    expect(hasCode('ConsentMissing', 'ConsentMissing')).toBe(false);
  });

  it('delivers progress events to the handler', async () => {
    let handler: ((p: unknown) => void) | undefined;
    setBackend({ invoke: async () => null, listen: async (_e, h) => { handler = h; return () => {}; } });
    const got: number[] = [];
    await onProgress((p) => got.push(p.done));
    handler?.({ op: 'demo', done: 3, total: 25 });
    expect(got).toEqual([3]);
  });

  it('says why the vault locked: idle, sleep or the screen, idle for anything else', async () => {
    let handler: ((p: unknown) => void) | undefined;
    setBackend({ invoke: async () => null, listen: async (e, h) => { if (e === 'locked') handler = h; return () => {}; } });
    const got: string[] = [];
    await onLocked((r) => got.push(r));
    for (const payload of ['idle', 'sleep', 'screen', 'something new', null]) handler?.(payload);
    expect(got).toEqual(['idle', 'sleep', 'screen', 'idle', 'idle']);
  });
});
