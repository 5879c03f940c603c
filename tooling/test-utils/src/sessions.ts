import { afterAll, expect } from 'vitest';

/** What a backend package reports of its native sessions. */
export interface SessionCounts {
  opened: number;
  closed: number;
}

/**
 * The leak check of a backend's tests (as tfjs-node checks numTensors): after the calling file's
 * tests, `backend` has no open session, and every native session opened since this call (at least
 * one) was closed.
 */
export function expectSessionsClosed(
  backend: { openSessions(): number },
  sessionCounts: () => SessionCounts,
): void {
  const before = sessionCounts();
  afterAll(() => {
    expect(backend.openSessions()).toBe(0);
    const after = sessionCounts();
    expect(after.opened - before.opened).toBeGreaterThan(0);
    expect(after.opened - after.closed).toBe(before.opened - before.closed);
  });
}
