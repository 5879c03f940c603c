import { describe, expect, it } from 'vitest';
import { BaseSession } from '../src/index.js';

class Probe extends BaseSession {
  releases = 0;
  constructor(
    onClose: () => void,
    readonly fail = false,
  ) {
    super(onClose);
  }
  get closedForRuns(): boolean {
    return this.isDisposed;
  }
  protected override async release(): Promise<void> {
    this.releases++;
    if (this.fail) throw new Error('native release failed');
  }
}

describe('BaseSession', () => {
  it('releases once however often it is disposed, and reports the close once', async () => {
    let closes = 0;
    const s = new Probe(() => closes++);
    expect(s.closedForRuns).toBe(false);
    const first = s.dispose();
    expect(s.closedForRuns).toBe(true);
    expect(s.dispose()).toBe(first);
    await s[Symbol.asyncDispose]();
    expect([s.releases, closes]).toEqual([1, 1]);
  });

  it('EXPECTED FAILURE - a failed release rejects dispose and still reports the close', async () => {
    let closes = 0;
    const s = new Probe(() => closes++, true);
    await expect(s.dispose()).rejects.toThrow(new Error('native release failed'));
    expect(closes).toBe(1);
    expect(s.releases).toBe(1);
  });
});
