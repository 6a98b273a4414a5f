interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Strict mode's durable appends to one open trail descriptor (one instance per descriptor): group commit, so
 * the lines written while one fdatasync is in flight wait for the next, which covers them all.
 *
 * A waiter is confirmed only when a sync that began after its write succeeded and no other sync of the same
 * descriptor that was running meanwhile failed (the kernel reports a lost write-back once, to whichever sync looks
 * first, so the other may succeed for nothing); a failed sync refuses every waiter written before it ended. When
 * the descriptor is released (segment roll, close), the sync made before closing it settles what is left.
 */
export class GroupCommit {
  /** Written since the durable sync in flight began: the next sync is theirs. */
  private _pending: Waiter[] = [];
  /** The waiters of the durable sync in flight. */
  private _batch: Waiter[] | undefined;
  /** Synced, confirmed once no other sync of the descriptor is running. */
  private _synced: Waiter[] = [];
  private _running = 0;
  private _released = false;

  /** A durable line was written: resolves once it is durable, rejects when that cannot be known. */
  wait(): Promise<void> {
    return new Promise((resolve, reject) => this._pending.push({ resolve, reject }));
  }

  /** A durable sync is in flight (the next starts when it ends). */
  get syncing(): boolean {
    return this._batch !== undefined;
  }

  /** Lines wait for a durable sync. */
  get waiting(): boolean {
    return this._pending.length > 0;
  }

  /** A durable sync starts: it is for every line written so far. */
  beginBatch(): void {
    this._batch = this._pending;
    this._pending = [];
    this._running++;
  }

  /** The durable sync ended. False when its error says nothing (see `_ended`). */
  endBatch(error: unknown): boolean {
    const batch = this._batch ?? [];
    this._batch = undefined;
    return this._ended(error, batch);
  }

  /** Another sync of the descriptor (the `interval` policy's) starts. */
  syncStarted(): void {
    this._running++;
  }

  /** That sync ended. False when its error says nothing (see `_ended`). */
  syncEnded(error: unknown): boolean {
    return this._ended(error, []);
  }

  /** A sync of the descriptor failed: every waiter written so far is refused. */
  fail(error: unknown): void {
    const waiters = [...this._synced, ...(this._batch ?? []), ...this._pending];
    this._synced = [];
    this._pending = [];
    if (this._batch) this._batch = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /**
   * The descriptor is closed after a sync on the caller's thread: what that sync did not refuse (`error`) is
   * durable, once the syncs still running on the descriptor end without error.
   */
  release(error?: unknown): void {
    if (error !== undefined) this.fail(error);
    this._released = true;
    this._synced.push(...(this._batch ?? []), ...this._pending);
    this._pending = [];
    if (this._batch) this._batch = [];
    this._settle();
  }

  private _ended(error: unknown, synced: Waiter[]): boolean {
    this._running--;
    // A sync that found the descriptor already closed (EBADF) ran on nothing: the sync made before closing stands.
    const counts = Boolean(error) && !(this._released && (error as { code?: unknown }).code === 'EBADF');
    if (counts) {
      this.fail(error);
      for (const waiter of synced) waiter.reject(error);
    } else this._synced.push(...synced);
    this._settle();
    return counts;
  }

  private _settle(): void {
    if (this._running > 0 || this._synced.length === 0) return;
    const synced = this._synced;
    this._synced = [];
    for (const waiter of synced) waiter.resolve();
  }
}
