/** The exit status after a reader closed early: 128 + SIGPIPE (13), what a shell shows for `git log | head`. */
export const CLOSED_READER_EXIT = 141;

/**
 * Ends the process quietly when the reader of stdout or stderr goes away (`tooltrail query … | head`): Node
 * ignores SIGPIPE, so the write fails with EPIPE and, unhandled, prints a stack trace. Nobody reads the rest, so
 * the command stops at once. Not 0: a verdict the reader never saw must not pass for "intact" under `pipefail`.
 */
export function exitQuietlyWhenReaderCloses(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(CLOSED_READER_EXIT);
      throw error;
    });
  }
}
