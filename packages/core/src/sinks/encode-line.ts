/** Lines up to this many bytes are encoded into one reused buffer (a line is about 700 bytes). */
const SHARED_LINE_BYTES = 64 * 1024;
/** Lines of up to this many UTF-16 code units fit it with their newline (UTF-8 takes at most 3 bytes per unit). */
const SHARED_LINE_UNITS = (SHARED_LINE_BYTES - 1) / 3;
export let sharedLine: Buffer | undefined;
/** Bytes of the last `encodeLine`, newline included. */
export let encodedLength = 0;

/**
 * `line` and a newline in UTF-8 (`encodedLength` bytes): one encoding into a reused buffer, no allocation per
 * record. The buffer is only valid until the next call; longer lines get their own.
 */
export function encodeLine(line: string): Buffer {
  if (line.length > SHARED_LINE_UNITS) {
    const own = Buffer.from(`${line}\n`);
    encodedLength = own.length;
    return own;
  }
  sharedLine ??= Buffer.allocUnsafeSlow(SHARED_LINE_BYTES);
  const bytes = sharedLine.write(line, 0);
  sharedLine[bytes] = 0x0a;
  encodedLength = bytes + 1;
  return sharedLine;
}
