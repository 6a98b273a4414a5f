/** What `raceTimeout` rejects with when the time is up. */
export const TIMED_OUT = Symbol('timed out');

/** Resolves with `promise`, or rejects with TIMED_OUT after `millis` (the timer keeps the caller alive). */
export function raceTimeout(promise: Promise<void>, millis: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(TIMED_OUT), millis);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
