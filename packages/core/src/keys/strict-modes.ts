import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  type Stats,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** `O_NOFOLLOW`: opening a symbolic link fails (ELOOP) instead of opening its target. 0 where it is missing. */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const NON_BLOCK = constants.O_NONBLOCK ?? 0;

/** A file or directory refused by the StrictModes checks (link, permissions, owner). */
export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
  readonly code = 'TOOLTRAIL_UNSAFE_PATH';
}

/**
 * Creates a private directory (mode 0700; missing parents too) if it is missing, then checks it as OpenSSH's
 * StrictModes does: not a symbolic link, a directory, owned by this process's user (or root), not writable by
 * group or others. Only the directory itself is checked, not its parents (a trail under the sticky, world-writable
 * /tmp is fine: the trail directory itself is 0700). Throws `UnsafePathError` naming the path and the fix.
 */
export function ensurePrivateDir(path: string, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new Error(`tooltrail: cannot create ${what} ${path}: ${(error as Error).message}`, {
        cause: error,
      });
  }
  checkPrivateDir(path, what);
}

/** Checks an existing directory like `ensurePrivateDir` (never follows a link); throws `UnsafePathError`. */
export function checkPrivateDir(path: string, what: string): void {
  const stats = lstatSync(path);
  if (stats.isSymbolicLink())
    throw new UnsafePathError(
      `tooltrail: ${what} ${path} is a symbolic link; tooltrail does not follow links there: use the real path`,
    );
  if (!stats.isDirectory()) throw new UnsafePathError(`tooltrail: ${what} ${path} is not a directory`);
  checkOwner(stats, path, what);
  if (enforced() && (stats.mode & 0o022) !== 0)
    throw new UnsafePathError(
      `tooltrail: ${what} ${path} is writable by group or others (mode ${octal(stats.mode)}): run chmod 700 ${path}`,
    );
}

/**
 * Reads a key file without following a link: a regular file owned by this process's user (or root); a private
 * key readable or writable by no one else (0600 or 0400), a public key writable by no one else (e.g. 0644).
 * Throws `UnsafePathError` naming the path and the fix, or an Error when the file cannot be read.
 */
export function readKeyFile(path: string, kind: 'private' | 'public', what = `${kind} key file`): string {
  let fd: number;
  let stats: Stats;
  try {
    ({ fd, stats } = openRegularFile(path, constants.O_RDONLY, what));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP')
      throw new UnsafePathError(
        `tooltrail: ${what} ${path} is a symbolic link; tooltrail does not follow links to keys: use the real path`,
      );
    if (error instanceof UnsafePathError) throw error;
    throw new Error(`tooltrail: cannot read ${what} ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    checkOwner(stats, path, what);
    const forbidden = kind === 'private' ? 0o077 : 0o022;
    if (enforced() && (stats.mode & forbidden) !== 0) {
      const how = kind === 'private' ? 'readable or writable' : 'writable';
      throw new UnsafePathError(
        `tooltrail: ${what} ${path} is ${how} by group or others (mode ${octal(stats.mode)}): ` +
          `run chmod ${kind === 'private' ? 600 : 644} ${path}`,
      );
    }
    return readAtMost(fd, stats, path, what, MAX_KEY_FILE_BYTES);
  } finally {
    closeSync(fd);
  }
}

/** Far more than any PEM key: a larger "key" is refused before it is read into memory. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Opens `path` never through a symbolic link (ELOOP) and without blocking, then refuses anything but a regular
 * file (`UnsafePathError`): a FIFO planted at the name would otherwise block the open, or the first read or
 * write, for ever, and a directory, socket or device is no file of a trail. The caller closes `fd`.
 */
export function openRegularFile(
  path: string,
  flags: number,
  what: string,
  mode = 0o600,
): { fd: number; stats: Stats } {
  const fd = openSync(path, flags | NO_FOLLOW | NON_BLOCK, mode);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new UnsafePathError(`tooltrail: ${what} ${path} is not a regular file`);
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** `path` was refused by `openRegularFile` or `readSmallFile`: a link, or not a (small) regular file at all. */
export function refusedFile(error: unknown): boolean {
  return error instanceof UnsafePathError || (error as NodeJS.ErrnoException).code === 'ELOOP';
}

/**
 * Reads a small regular file (a cursor, a lock) as `openRegularFile` opens it, refusing one larger than
 * `maxBytes` (`UnsafePathError`) before reading it: a planted huge file costs no memory and no time.
 */
export function readSmallFile(path: string, what: string, maxBytes: number): string {
  const { fd, stats } = openRegularFile(path, constants.O_RDONLY, what);
  try {
    return readAtMost(fd, stats, path, what, maxBytes);
  } finally {
    closeSync(fd);
  }
}

function readAtMost(fd: number, stats: Stats, path: string, what: string, maxBytes: number): string {
  if (stats.size > maxBytes)
    throw new UnsafePathError(
      `tooltrail: ${what} ${path} is ${stats.size} bytes, more than the ${maxBytes} expected`,
    );
  // Never more than maxBytes, even when the file grew since fstat.
  const buffer = Buffer.allocUnsafe(maxBytes);
  let length = 0;
  while (length < maxBytes) {
    const bytes = readSync(fd, buffer, length, maxBytes - length, length);
    if (bytes === 0) break;
    length += bytes;
  }
  return buffer.toString('utf8', 0, length);
}

/**
 * Creates a file that must not exist yet (O_CREAT|O_EXCL, never through a link) with exactly `mode`, and writes
 * `data`. Throws when anything, a link included, is already at `path`.
 */
export function writeNewFile(path: string, data: string, mode: number): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, mode);
  try {
    fchmodSync(fd, mode);
    const bytes = Buffer.from(data);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
}

/** Whether anything, a dangling link included, is at `path`. */
export function pathTaken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Checks a file opened for writing in a private directory: a regular file owned by this user (or root). */
export function checkOwnedFile(stats: Stats, path: string, what: string): void {
  if (!stats.isFile()) throw new UnsafePathError(`tooltrail: ${what} ${path} is not a regular file`);
  checkOwner(stats, path, what);
}

function checkOwner(stats: Stats, path: string, what: string): void {
  const uid = process.getuid?.();
  if (!enforced() || uid === undefined || stats.uid === uid || stats.uid === 0) return;
  throw new UnsafePathError(
    `tooltrail: ${what} ${path} is owned by uid ${stats.uid}, not by the user running tooltrail ` +
      `(uid ${uid}) or root: run chown ${uid} ${path}, or use a path that user owns`,
  );
}

/** Permission bits and owners mean nothing comparable on Windows. */
function enforced(): boolean {
  return process.platform !== 'win32';
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}
