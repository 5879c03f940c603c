// One scheduler per device for the whole process: an accelerator (gpu:0, dla:0, tpu:0) runs one
// inference at a time across every model unless the user raises it, because two networks sharing
// one GPU only slow each other down (and a TensorRT execution context is not re-entrant); the CPU
// takes a configurable number at once. The registry lives on globalThis under a registered
// symbol, so two copies of @edge/runtime in one process still share one queue per device.

import { checkPositiveInteger, checkString } from '@edge/core';

const REGISTRY: symbol = Symbol.for('@edge/runtime/device-schedulers');

/** Gives the device back; call exactly once per grant. */
export type Release = () => void;

/** How busy one device is. */
export interface DeviceStatus {
  readonly device: string;
  /** Inferences it may run at once: 1 for accelerators. */
  readonly concurrency: number;
  /** Inferences running now. */
  readonly running: number;
  /** Grants waiting for a free slot. */
  readonly waiting: number;
}

/** @internal The process-wide FIFO of one device. */
export class DeviceScheduler {
  readonly device: string;
  #concurrency = 1;
  #running = 0;
  readonly #waiting: ((release: Release) => void)[] = [];

  constructor(device: string) {
    this.device = device;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** Changes the limit; grants waiting for a slot that the new limit frees start at once. */
  setConcurrency(concurrency: number): void {
    this.#concurrency = concurrency;
    this.#drain();
  }

  /**
   * Calls `grant` with a release function when a slot is free: at once (synchronously) when one is
   * free and nobody waits, else in FIFO order as slots come back.
   */
  acquire(grant: (release: Release) => void): void {
    if (this.#running < this.#concurrency && this.#waiting.length === 0) this.#start(grant);
    else this.#waiting.push(grant);
  }

  status(): DeviceStatus {
    return {
      device: this.device,
      concurrency: this.#concurrency,
      running: this.#running,
      waiting: this.#waiting.length,
    };
  }

  /** Takes a slot for `grant` and calls it; a grant that throws gives the slot back and rethrows. */
  #start(grant: (release: Release) => void): void {
    this.#running++;
    // A grant that throws must not keep the slot: the device would stay busy for ever.
    const release = this.#releaser();
    try {
      grant(release);
    } catch (e) {
      release();
      throw e;
    }
  }

  #releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#running--;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      try {
        this.#start(this.#waiting.shift()!);
      } catch (e) {
        // No caller is there to take a queued grant's error: it is rethrown on its own.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

function registry(): Map<string, DeviceScheduler> {
  const holder = globalThis as unknown as Record<symbol, Map<string, DeviceScheduler> | undefined>;
  let map = holder[REGISTRY];
  if (map === undefined) {
    map = new Map();
    Object.defineProperty(globalThis, REGISTRY, { value: map, enumerable: false });
  }
  return map;
}

/** @internal The scheduler of `device`, made on first use. */
export function deviceScheduler(device: string): DeviceScheduler {
  const map = registry();
  let s = map.get(device);
  if (s === undefined) {
    s = new DeviceScheduler(device);
    map.set(device, s);
  }
  return s;
}

/**
 * Sets how many inferences may run at once on a device (`cpu`, `cpu:1`, `gpu:0`, `dla:1`...),
 * across every model of the process; default 1. Engines that run synchronously on the main thread
 * (onnxruntime-node's `run`, TFLite WASM) gain nothing above 1; an engine with its own thread pool
 * and an async `run` may. An accelerator runs one inference at a time unless you ask for more
 * here: networks sharing a GPU or DLA core slow each other down, and the default keeps them from
 * doing so silently; a TensorRT session runs at most as many at once as its engine has execution
 * contexts (`contexts` at build time).
 *
 * @throws {@link ArgumentError} when `concurrency` is not a positive integer or `device` is empty.
 */
export function setDeviceConcurrency(device: string, concurrency: number): void {
  checkString('device', device, { nonEmpty: true });
  checkPositiveInteger('concurrency', concurrency);
  deviceScheduler(device).setConcurrency(concurrency);
}

/** Every device a model of this process has used, with its running and waiting counts. */
export function deviceStatus(): DeviceStatus[] {
  return [...registry().values()].map((s) => s.status());
}
