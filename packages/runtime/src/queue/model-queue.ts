// The requests of one model: a bounded FIFO, each request with its own AbortSignal and timeout,
// optionally gathered into batches along dimension 0. A batch is formed when the device grants a
// slot, not when the first request arrives, so under load every request that came in while the
// device was busy rides in the next batch; `maxDelayMs` only makes a lone request on an idle
// device wait a little for company.

import {
  AbortedError,
  DisposedError,
  QueueFullError,
  type Session,
  type Tensor,
  type TensorMap,
  TimeoutError,
} from '@edge/core';
import { concatRows, splitRows } from './batch-tensors.js';
import type { DeviceScheduler, Release } from './device-scheduler.js';

/** Dynamic batching settings, both required once resolved. */
export interface BatchingSettings {
  /** Most rows (dimension 0, summed over requests) in one engine run. */
  readonly maxBatch: number;
  /** How long a request on an idle device waits for others before it runs alone, in ms. */
  readonly maxDelayMs: number;
}

/** @internal Settings of one model's queue. */
export interface QueueSettings {
  readonly name: string;
  readonly batching: BatchingSettings | null;
  readonly maxQueue: number;
  readonly timeoutMs: number | undefined;
}

/** @internal A request as the queue takes it, after the model checked the feeds. */
export interface QueueRequest {
  readonly feeds: Readonly<TensorMap>;
  /** Rows along dimension 0 (1 when not batching). */
  readonly rows: number;
  /** Requests with equal keys may share a run: same trailing shapes and outputs. */
  readonly key: string;
  readonly outputs: readonly string[] | undefined;
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number | undefined;
}

/** Counters of one model's request queue since it was loaded (`Model.stats()`). */
export interface QueueStats {
  /** Requests accepted (rejected ones excluded: full queue, bad feeds, already aborted). */
  readonly requests: number;
  /** Engine runs. */
  readonly runs: number;
  /** Rows run, over all runs. */
  readonly rows: number;
  /** Most requests that shared one run. */
  readonly largestBatch: number;
  /** Requests cancelled by their signal or timeout. */
  readonly cancelled: number;
  /** Requests waiting now. */
  readonly pending: number;
}

interface Entry {
  readonly request: QueueRequest;
  /** performance.now() at submit; only read (and only taken) when batching waits for company. */
  readonly enqueuedAt: number;
  state: 'pending' | 'running' | 'settled';
  resolve(value: TensorMap): void;
  reject(error: unknown): void;
  /** Removes the abort listener and the timer, when the request has them. */
  cleanup: (() => void) | undefined;
}

/** @internal */
export class ModelQueue {
  readonly #session: Session;
  readonly #device: DeviceScheduler;
  readonly #settings: QueueSettings;
  #pending: Entry[] = [];
  #pendingRows = 0;
  #running = 0;
  #waitingForDevice = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #onIdle: (() => void) | undefined;
  #pumping = false;
  #again = false;
  readonly #stats = { requests: 0, runs: 0, rows: 0, largestBatch: 0, cancelled: 0 };

  constructor(session: Session, device: DeviceScheduler, settings: QueueSettings) {
    this.#session = session;
    this.#device = device;
    this.#settings = settings;
  }

  stats(): QueueStats {
    return { ...this.#stats, pending: this.#pending.length };
  }

  submit(request: QueueRequest): Promise<TensorMap> {
    const name = this.#settings.name;
    if (this.#closed) return Promise.reject(new DisposedError(`${name} is disposed`));
    const { signal } = request;
    const timeoutMs = request.timeoutMs ?? this.#settings.timeoutMs;
    if (signal?.aborted) {
      return Promise.reject(new AbortedError(`request to ${name} was aborted`, { cause: signal.reason }));
    }
    const limit = this.#settings.maxQueue;
    if (this.#pending.length >= limit) {
      return Promise.reject(
        new QueueFullError(
          `the queue of ${name} is full (${limit} requests waiting): retry later, or load the model with a larger maxQueue`,
          limit,
        ),
      );
    }
    this.#stats.requests++;
    const batching = this.#settings.batching;
    return new Promise<TensorMap>((resolve, reject) => {
      // The common request has no signal and no timeout: it allocates nothing beyond its entry,
      // since every closure here runs cold after an engine run and costs more than it looks.
      const entry: Entry = {
        request,
        enqueuedAt: batching !== null && batching.maxDelayMs > 0 ? performance.now() : 0,
        state: 'pending',
        resolve,
        reject,
        cleanup: undefined,
      };
      if (signal !== undefined || timeoutMs !== undefined) this.#arm(entry, signal, timeoutMs);
      this.#pending.push(entry);
      this.#pendingRows += request.rows;
      this.#pump();
    });
  }

  /** Wires a request's AbortSignal and timeout to its cancellation. */
  #arm(entry: Entry, signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    const name = this.#settings.name;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    entry.cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
    };
    const cancel = (error: Error): void => {
      if (entry.state === 'settled') return;
      if (entry.state === 'pending') this.#remove(entry);
      // A running entry stays in its batch: the engine cannot stop mid-run, the others in the
      // batch still get their results, and this one's is dropped.
      this.#stats.cancelled++;
      settle(entry, undefined, error);
    };
    if (signal !== undefined) {
      onAbort = () => cancel(new AbortedError(`request to ${name} was aborted`, { cause: signal.reason }));
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const where = entry.state === 'pending' ? 'still queued' : 'running';
        cancel(
          new TimeoutError(`request to ${name} did not finish within ${timeoutMs} ms (${where})`, timeoutMs),
        );
      }, timeoutMs);
    }
  }

  /** Rejects every waiting request, waits for the runs in progress, and refuses new requests. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#pending;
    this.#pending = [];
    this.#pendingRows = 0;
    for (const entry of waiting) {
      settle(
        entry,
        undefined,
        new DisposedError(`${this.#settings.name} was disposed before this request ran`),
      );
    }
    if (this.#running > 0) await new Promise<void>((resolve) => (this.#onIdle = resolve));
  }

  #remove(entry: Entry): void {
    const i = this.#pending.indexOf(entry);
    if (i >= 0) {
      this.#pending.splice(i, 1);
      this.#pendingRows -= entry.request.rows;
    }
  }

  #pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        this.#step();
      } while (this.#again);
    } finally {
      this.#pumping = false;
    }
  }

  #step(): void {
    if (this.#waitingForDevice || this.#pending.length === 0 || this.#closed) return;
    const batching = this.#settings.batching;
    if (batching !== null && batching.maxDelayMs > 0 && this.#pendingRows < batching.maxBatch) {
      const wait = this.#pending[0]!.enqueuedAt + batching.maxDelayMs - performance.now();
      if (wait > 0) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, Math.ceil(wait));
        return;
      }
    }
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#waitingForDevice = true;
    this.#device.acquire((release) => {
      // When batching, requests sent in the same tick as this one (a burst of calls in a loop)
      // still join its batch: the batch is formed one microtask later, which costs no latency.
      if (batching !== null) queueMicrotask(() => this.#granted(release));
      else this.#granted(release);
    });
  }

  #granted(release: Release): void {
    this.#waitingForDevice = false;
    const batch = this.#take();
    if (batch.length === 0) release();
    else this.#execute(batch, release);
    // More may be waiting: ask for another slot (granted at once when the device has room).
    this.#pump();
  }

  /** Takes the head request and, when batching, the following ones that fit with it. */
  #take(): Entry[] {
    const head = this.#pending[0];
    if (head === undefined) return [];
    const batching = this.#settings.batching;
    if (batching === null) {
      this.#pending.shift();
      this.#pendingRows -= head.request.rows;
      head.state = 'running';
      return [head];
    }
    const taken: Entry[] = [];
    const rest: Entry[] = [];
    let rows = 0;
    for (const entry of this.#pending) {
      const fits =
        rows < batching.maxBatch &&
        entry.request.key === head.request.key &&
        (taken.length === 0 || rows + entry.request.rows <= batching.maxBatch);
      if (fits) {
        taken.push(entry);
        rows += entry.request.rows;
        entry.state = 'running';
      } else {
        rest.push(entry);
      }
    }
    this.#pending = rest;
    this.#pendingRows -= rows;
    return taken;
  }

  #execute(batch: Entry[], release: Release): void {
    this.#running++;
    const stats = this.#stats;
    stats.runs++;
    stats.largestBatch = Math.max(stats.largestBatch, batch.length);
    const first = batch[0]!.request;
    let feeds: Readonly<TensorMap>;
    try {
      feeds = batch.length === 1 ? first.feeds : this.#stack(batch);
    } catch (e) {
      this.#finish(release);
      for (const entry of batch) settle(entry, undefined, e);
      return;
    }
    for (const entry of batch) stats.rows += entry.request.rows;
    const options = first.outputs === undefined ? undefined : { outputs: first.outputs };
    let running: Promise<TensorMap>;
    try {
      running = this.#session.run(feeds, options);
    } catch (e) {
      // A third-party session whose run throws instead of rejecting must not keep the device.
      running = Promise.reject(e);
    }
    running.then(
      (outputs) => {
        this.#finish(release);
        if (batch.length === 1) {
          settle(batch[0]!, outputs, undefined);
          return;
        }
        let pieces: TensorMap[];
        try {
          pieces = splitRows(
            outputs,
            batch.map((e) => e.request.rows),
            this.#settings.name,
          );
        } catch (e) {
          for (const entry of batch) settle(entry, undefined, e);
          return;
        }
        batch.forEach((entry, i) => {
          settle(entry, pieces[i]!, undefined);
        });
      },
      (error: unknown) => {
        this.#finish(release);
        for (const entry of batch) settle(entry, undefined, error);
      },
    );
  }

  #stack(batch: Entry[]): TensorMap {
    const feeds: TensorMap = {};
    for (const name of Object.keys(batch[0]!.request.feeds)) {
      feeds[name] = concatRows(batch.map((e) => e.request.feeds[name] as Tensor));
    }
    return feeds;
  }

  #finish(release: Release): void {
    release();
    if (--this.#running === 0 && this.#onIdle !== undefined) {
      this.#onIdle();
      this.#onIdle = undefined;
    }
    this.#pump();
  }
}

function settle(entry: Entry, value: TensorMap | undefined, error: unknown): void {
  if (entry.state === 'settled') return;
  entry.state = 'settled';
  entry.cleanup?.();
  if (value !== undefined) entry.resolve(value);
  else entry.reject(error);
}
