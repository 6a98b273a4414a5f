import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { openRegularFile, readSmallFile, refusedFile } from '../keys/strict-modes.js';

/** How far a chain has been shipped: every record up to `seq` was acknowledged by the exporter. */
export interface ShipPosition {
  seq: number;
  /** The acknowledged record was the chain's final checkpoint: nothing is left to ship. */
  final: boolean;
  /** Where the trail line after `seq` starts, when known: a replay seeks there instead of scanning. */
  segment?: number;
  offset?: number;
}

/** `<dir>/<chain>.shipped`: the acknowledged position, overwritten in place after every ack. */
export function cursorPath(dir: string, chain: string): string {
  return join(dir, `${chain}.shipped`);
}

/** The acknowledged position of a chain; `seq: -1` when nothing was shipped (or the file is unreadable). */
export function readShipPosition(dir: string, chain: string): ShipPosition {
  try {
    // Another chain's cursor is read at startup: a FIFO, a link to /dev/zero or a huge file planted there must
    // neither block the agent nor fill its memory (refused, like a torn cursor).
    const text = readSmallFile(cursorPath(dir, chain), 'ship position file', MAX_SMALL_FILE_BYTES);
    const parsed = JSON.parse(text) as Partial<ShipPosition>;
    if (Number.isSafeInteger(parsed.seq)) {
      const position: ShipPosition = { seq: parsed.seq as number, final: parsed.final === true };
      // A negative offset would make every read of the chain throw: such a position is ignored.
      if (naturalNumber(parsed.segment) && naturalNumber(parsed.offset)) {
        position.segment = parsed.segment as number;
        position.offset = parsed.offset as number;
      }
      return position;
    }
  } catch {
    // Missing or torn: ship from the start (a torn cursor can only cause duplicates, never losses).
  }
  return { seq: -1, final: false };
}

/** Bytes read of a cursor or lock file at most: both are one short line. */
const MAX_SMALL_FILE_BYTES = 4096;

function naturalNumber(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Bytes of every position write: fixed, so each write overwrites the whole previous one. */
const POSITION_BYTES = 160;

/**
 * A chain's position file, kept open: each acknowledgement is one pwrite(2) of a fixed-width line at offset 0,
 * synchronously in the export's success callback. The window in which a crash makes a replay send a batch twice
 * is the collector's answer in flight plus this one system call. The file is not fsync'ed: after a machine
 * crash it may be stale (duplicates) or unreadable (the chain is shipped again from the start), never ahead.
 */
export class ShipPositionFile {
  private _fd: number | undefined;

  constructor(
    private readonly _dir: string,
    private readonly _chain: string,
  ) {}

  write(position: ShipPosition): void {
    const text = JSON.stringify({
      chain: this._chain,
      seq: position.seq,
      final: position.final,
      segment: position.segment,
      offset: position.offset,
    });
    const line = Buffer.alloc(POSITION_BYTES, 0x20);
    line.write(text.length < POSITION_BYTES ? text : text.slice(0, POSITION_BYTES - 1));
    line[POSITION_BYTES - 1] = 0x0a;
    if (this._fd === undefined) {
      // Created if missing, never truncated before the first write (a crash then would lose the position).
      // Never through a link (that would overwrite its target), never into a FIFO or device.
      this._fd = openRegularFile(
        cursorPath(this._dir, this._chain),
        constants.O_RDWR | constants.O_CREAT,
        'ship position file',
      ).fd;
      writeSync(this._fd, line, 0, POSITION_BYTES, 0);
      ftruncateSync(this._fd, POSITION_BYTES);
      return;
    }
    writeSync(this._fd, line, 0, POSITION_BYTES, 0);
  }

  close(): void {
    if (this._fd === undefined) return;
    try {
      closeSync(this._fd);
    } catch {
      // Already closed.
    }
    this._fd = undefined;
  }
}

function lockPath(dir: string, chain: string): string {
  return join(dir, `${chain}.lock`);
}

// One token per process (shared by the ESM and CJS builds): a restarted container often reuses the pid of
// the process it replaces (pid 1), so a pid alone cannot tell this process from a dead predecessor.
const TOKEN = Symbol.for('tooltrail.process-token');
function processToken(): string {
  const slots = globalThis as { [TOKEN]?: string };
  slots[TOKEN] ??= randomBytes(8).toString('hex');
  return slots[TOKEN];
}

function lockOwner(): string {
  return `${process.pid} ${processToken()}`;
}

/**
 * Claims the right to ship a chain (`<dir>/<chain>.lock` holds the owner's pid and process token, created
 * exclusively). A lock left by a dead process is taken over; one held by a live process (including this one)
 * is respected, so two agents sharing a directory never ship the same chain twice. An unrelated process that
 * reused a dead owner's pid makes the chain wait for a later start (a delay, never a duplicate).
 */
export function claimChain(dir: string, chain: string): boolean {
  const path = lockPath(dir, chain);
  try {
    // The trail creates its directory at the first record; the claim can come first.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return false;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${lockOwner()}\n`);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    if (ownerAlive(path)) return false;
    try {
      unlinkSync(path);
    } catch {
      return false;
    }
  }
  return false;
}

/** Releases a claim taken with `claimChain`. */
export function releaseChain(dir: string, chain: string): void {
  try {
    if (readLock(lockPath(dir, chain)) === lockOwner()) unlinkSync(lockPath(dir, chain));
  } catch {
    // Already gone.
  }
}

function ownerAlive(path: string): boolean {
  let owner: string;
  try {
    owner = readLock(path);
  } catch (error) {
    // A link, FIFO, directory or huge file is no lock `claimChain` made: no process holds it.
    if (refusedFile(error)) return false;
    return true; // Being written right now: assume a live owner.
  }
  // Created but not yet written (a claim in progress), unless it was left like that long ago by a crash.
  if (owner === '') return Date.now() - mtimeMillis(path) < 10_000;
  const [pidText, token] = owner.split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return token === processToken();
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock's owner line, read without following a link or blocking on a FIFO (replay reads other chains' locks). */
function readLock(path: string): string {
  return readSmallFile(path, 'ship lock file', MAX_SMALL_FILE_BYTES).trim();
}

function mtimeMillis(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
