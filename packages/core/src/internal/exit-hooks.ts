/**
 * Flushes on `beforeExit`, SIGTERM and SIGINT without swallowing anyone's handlers: other listeners still
 * run, and when tooltrail is the only SIGTERM/SIGINT listener the signal is re-raised after the flush so the
 * process ends as it would have.
 */
/** How long a signal waits for the export before the process ends anyway (orchestrators kill at ~30 s). */
export const SIGNAL_FLUSH_MILLIS = 5000;

export function installExitHooks(flush: () => Promise<void>): () => void {
  let flushing: Promise<void> | undefined;
  const once = () => {
    flushing ??= flush().catch(() => undefined);
    return flushing;
  };
  const onBeforeExit = () => {
    void once();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const others = process.listeners(signal).filter((listener) => listener !== onSignal);
    // The final checkpoint is on disk as soon as the flush starts; what is not exported within the grace period
    // stays in the trail and is replayed by the next process.
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SIGNAL_FLUSH_MILLIS).unref());
    void Promise.race([once(), grace]).then(() => {
      if (others.length > 0) return;
      uninstall();
      process.kill(process.pid, signal);
    });
  };
  process.once('beforeExit', onBeforeExit);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const uninstall = () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  };
  return uninstall;
}
