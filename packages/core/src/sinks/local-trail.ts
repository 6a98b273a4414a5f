import {
  closeSync,
  constants,
  fchmodSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ErrorHandler } from '../internal/error-handler.js';
import { checkOwnedFile, ensurePrivateDir, openRegularFile } from '../keys/strict-modes.js';
import { GroupCommit } from '../strict/group-commit.js';
import { segmentFileName } from '../trail/segment-name.js';
import type { FsyncPolicy } from '../types.js';
import { encodedLength, encodeLine, sharedLine } from './encode-line.js';
import { segmentUnlinked } from './segment-unlinked.js';

export interface LocalTrailConfig {
  dir: string;
  chainId: string;
  fsync: FsyncPolicy;
  fsyncIntervalMillis: number;
  maxFileBytes: number;
  errors: ErrorHandler;
}

const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT;

/**
 * The embedded default sink: append-only JSON Lines, one chain per file set, files 0600 in a 0700 directory;
 * neither the directory nor a segment is ever opened through a symbolic link, and a segment must be a regular file.
 *
 * Every record is written with write(2) before the tool call returns, so it survives a crash of the agent
 * process (the kernel holds it). fsync(2) decides what survives a crash of the machine: `interval` (default)
 * syncs at most `fsyncIntervalMillis` after a write, `always` after every record, `never` leaves it to the OS.
 */
export class LocalTrail {
  readonly written: { records: number; bytes: number } = { records: 0, bytes: 0 };
  lost = 0;
  private _fd: number | undefined;
  private _segment = 0;
  private _segmentBytes = 0;
  private _dirty = false;
  /** When the oldest write not yet being synced was made (performance.now()). */
  private _dirtySince = 0;
  /** An `interval` sync is running on the threadpool. */
  private _syncing = false;
  /** The strict calls waiting for their lines on the open descriptor to be durable (a new one per descriptor). */
  private _commits = new GroupCommit();
  private _timer: NodeJS.Timeout | undefined;
  private _closed = false;
  private _lastError: unknown;
  /** `written.records` when the open segment was last seen linked in the trail directory (or opened). */
  private _linkedRecords = 0;

  constructor(private readonly _config: LocalTrailConfig) {}

  get dir(): string {
    return this._config.dir;
  }

  /** Appends one line; returns false (and counts a loss) when it could not be written. */
  append(line: string, durable = false): boolean {
    const fd = this._write(line);
    if (fd === undefined) return false;
    try {
      if (durable || this._config.fsync === 'always') fdatasyncSync(fd);
      else if (this._config.fsync === 'interval') this._scheduleSync();
      return true;
    } catch (error) {
      // Written but not durable: the record is there for the verifier; a durable caller is told it failed.
      this._syncFailed(error);
      return false;
    }
  }

  /**
   * Writes one line now (write(2), so trail order is chain order) and resolves once an fdatasync(2) that began
   * after the write has finished; the sync runs off the main thread so the caller can race it against a timeout.
   * Group commit: while one durable sync is in flight, later lines wait for the next one, which covers them all.
   */
  appendDurable(line: string): Promise<void> {
    const fd = this._write(line);
    if (fd === undefined) return Promise.reject(this._lastError);
    this._dirty = true;
    const durable = this._commits.wait();
    if (!this._commits.syncing) this._durableSync();
    return durable;
  }

  /** One fdatasync for every durable line written before it starts; the next starts when it ends. */
  private _durableSync(): void {
    const fd = this._fd;
    const commits = this._commits;
    // Never without a descriptor: releasing one settles the calls waiting on it.
    if (fd === undefined) return;
    commits.beginBatch();
    fdatasync(fd, (error) => {
      if (commits.endBatch(error))
        this._config.errors.report('trail_sync', 'fsync of the local trail failed', error);
      // Lines written meanwhile wait for the next sync of their descriptor, if it is still open.
      if (commits === this._commits && commits.waiting) this._durableSync();
    });
  }

  /** A sync failed: reported, and every strict call waiting on the open descriptor is refused. */
  private _syncFailed(error: unknown): void {
    this._config.errors.report('trail_sync', 'fsync of the local trail failed', error);
    this._commits.fail(error);
  }

  /** The last write error (for strict mode's `AuditUnavailableError.cause`). */
  get lastError(): unknown {
    return this._lastError;
  }

  private _write(line: string): number | undefined {
    if (this._closed) {
      this.lost++;
      this._lastError = new Error('the local trail is closed');
      this._config.errors.report('trail_closed', 'record written after shutdown was not stored');
      return undefined;
    }
    let fd: number | undefined;
    let offset = 0;
    let length = 0;
    try {
      // The line and its newline in UTF-8, encoded once: the encoder's count is the length (no byteLength pass).
      let data = encodeLine(line);
      length = encodedLength;
      fd = this._fd;
      if (fd === undefined || this._segmentBytes + length > this._config.maxFileBytes) {
        fd = this._open(length);
        // `_open` may report to user code, which may append (reusing the shared buffer): nothing else runs
        // between this encoding and the write.
        if (data === sharedLine) data = encodeLine(line);
      }
      while (offset < length) offset += writeSync(fd, data, offset, length - offset);
      this._segmentBytes += length;
      this.written.records++;
      this.written.bytes += length;
      return fd;
    } catch (error) {
      this.lost++;
      this._lastError = error;
      // A torn line (disk full mid-record) would also corrupt the next record appended after it: cut it off.
      if (fd !== undefined && offset > 0) this._truncateTornLine(fd);
      this._dropDescriptor(error);
      this._config.errors.report(
        'trail_write',
        `could not write to the local trail in ${this._config.dir}`,
        error,
      );
      return undefined;
    }
  }

  private _truncateTornLine(fd: number): void {
    try {
      ftruncateSync(fd, this._segmentBytes);
    } catch (error) {
      this._config.errors.report('trail_truncate', 'could not remove a partly written record', error);
    }
  }

  /** fsyncs pending writes now, on this thread (also those a background sync in flight is syncing). */
  sync(): void {
    if (this._timer) clearTimeout(this._timer);
    this._timer = undefined;
    if (this._fd === undefined) return;
    if (this._dirty || this._syncing) {
      this._dirty = false;
      try {
        fdatasyncSync(this._fd);
      } catch (error) {
        this._syncFailed(error);
      }
    }
    this._checkLinked(this._fd);
  }

  /**
   * A segment deleted under the agent (or its directory removed) still takes writes that reach no trail: those since
   * it was last seen linked (checked at every sync) are lost, and the next write opens it again.
   */
  private _checkLinked(fd: number): void {
    const records = this.written.records;
    if (segmentUnlinked(fd)) {
      this.lost += records - this._linkedRecords;
      this._lastError = new Error('the trail segment was deleted while it was written');
      this._dropDescriptor(this._lastError);
      this._config.errors.report('trail_unlinked', 'a trail segment was deleted', this._lastError);
    }
    this._linkedRecords = records;
  }

  close(): void {
    if (this._closed) return;
    this.sync();
    this._dropDescriptor();
    this._closed = true;
  }

  private _open(incoming: number): number {
    if (this._fd !== undefined && this._segmentBytes + incoming <= this._config.maxFileBytes) return this._fd;
    if (this._fd !== undefined) {
      this.sync();
      this._dropDescriptor();
      this._segment++;
    }
    // Checked at every segment (no link, 0700-like, ours): a directory swapped meanwhile is not written into.
    ensurePrivateDir(this._config.dir, 'trail directory');
    for (;;) {
      const path = join(this._config.dir, segmentFileName(this._config.chainId, this._segment));
      // Never through a link planted at the segment's name (that would append records to its target), and never
      // into a FIFO planted there (opening it for writing would block the agent until someone reads it).
      const { fd, stats } = openRegularFile(path, APPEND, 'trail segment');
      try {
        checkOwnedFile(stats, path, 'trail segment');
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      const size = stats.size;
      if (size > 0 && size + incoming > this._config.maxFileBytes) {
        closeSync(fd);
        this._segment++;
        continue;
      }
      fchmodSync(fd, 0o600);
      this._fd = fd;
      this._segmentBytes = size;
      this._linkedRecords = this.written.records;
      return fd;
    }
  }

  private _scheduleSync(): void {
    if (!this._dirty) {
      this._dirty = true;
      this._dirtySince = performance.now();
    }
    this._armTimer();
  }

  /** The next background sync, `fsyncIntervalMillis` after the oldest write it is for. */
  private _armTimer(): void {
    if (this._timer || this._syncing) return;
    const delay = this._dirtySince + this._config.fsyncIntervalMillis - performance.now();
    this._timer = setTimeout(() => this._backgroundSync(), Math.max(0, delay));
    this._timer.unref();
  }

  /**
   * The `interval` policy's fdatasync, on the libuv threadpool: the agent's thread does not stop for the disk
   * (a second of writes can take tens of milliseconds to sync). One at a time; writes made meanwhile are synced
   * by the next one, armed when this one ends. A roll to the next segment and `close()` sync on this thread
   * before they close the descriptor, also while a background sync is in flight.
   */
  private _backgroundSync(): void {
    this._timer = undefined;
    const fd = this._fd;
    if (fd === undefined || !this._dirty) return;
    this._dirty = false;
    this._syncing = true;
    const commits = this._commits;
    commits.syncStarted();
    fdatasync(fd, (error) => {
      this._syncing = false;
      // Also for a descriptor released meanwhile: its strict calls are not confirmed by a sync that hid a failure.
      if (commits.syncEnded(error)) {
        this._config.errors.report('trail_sync', 'fsync of the local trail failed', error);
      }
      if (fd === this._fd) this._checkLinked(fd);
      if (this._dirty && !this._closed && this._fd !== undefined && this._config.fsync === 'interval') {
        this._armTimer();
      }
    });
  }

  /**
   * Closes the descriptor after a sync on this thread (or a write failure, `error`): the strict calls waiting on it
   * are confirmed by that sync or refused, never by a sync of the next descriptor.
   */
  private _dropDescriptor(error?: unknown): void {
    if (this._fd === undefined) return;
    this._commits.release(error);
    this._commits = new GroupCommit();
    try {
      closeSync(this._fd);
    } catch {
      // Already closed or invalid: nothing left to release.
    }
    this._fd = undefined;
  }
}
