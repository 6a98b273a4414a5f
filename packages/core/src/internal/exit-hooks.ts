/**
 * Flushes on `beforeExit`, SIGTERM and SIGINT without swallowing anyone's handlers: other listeners still
 * run, and when tooltrail is the only SIGTERM/SIGINT listener the signal is re-raised after the flush so the
 * process ends as it would have.
 */
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
    void once().then(() => {
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
