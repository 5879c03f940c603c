// The dispose-once life cycle every backend's Session shares (like Polygraphy's runners, which
// share theirs through one base class): release once, report the close even when the release
// fails, and let `run` refuse afterwards.

/**
 * A base class for a backend's {@link Session}: it implements `dispose` and
 * `[Symbol.asyncDispose]`; the backend implements {@link BaseSession.release} and checks
 * {@link BaseSession.isDisposed} at the start of `run`.
 */
export abstract class BaseSession {
  readonly #onClose: () => void;
  #disposing: Promise<void> | undefined;

  /** @param onClose Called once the session is released (or failed to be): the backend's count. */
  constructor(onClose: () => void) {
    this.#onClose = onClose;
  }

  /** True once `dispose` has been called: `run` must then reject with `DisposedError`. */
  protected get isDisposed(): boolean {
    return this.#disposing !== undefined;
  }

  /** Frees what the session holds; called once, by the first `dispose`. */
  protected abstract release(): Promise<void>;

  /**
   * Releases the session (see the backend's `release`); later `run` calls reject with
   * `DisposedError`. Calling it again returns the same promise.
   */
  dispose(): Promise<void> {
    this.#disposing ??= (async () => {
      try {
        await this.release();
      } finally {
        this.#onClose();
      }
    })();
    return this.#disposing;
  }

  /** Same as {@link BaseSession.dispose}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
