// The command-line options of bench/run.mjs (its child processes parse their own the same way).
const args = process.argv.slice(2);

/** Whether `--name` was given. */
export const flag = (name) => args.includes(`--${name}`);

/** The value after `--name`, or `fallback`. */
export const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};

/** `--quick`: fewer and shorter rounds, a 100,000-record memory/verify run. */
export const QUICK = flag('quick');
/** `--only a,b`: the scenarios to run (all when empty). */
export const ONLY = option('only', '').split(',').filter(Boolean);
/** Whether the scenario `name` runs. */
export const wanted = (name) => ONLY.length === 0 || ONLY.includes(name);
/** Calls per timed round. */
export const CALLS = Number(option('calls', QUICK ? 20_000 : 100_000));
/** Timed rounds per scenario (the median is reported). */
export const ROUNDS = Number(option('rounds', QUICK ? 5 : 9));
/** Calls of the memory run, and so records of the trail the verify run reads. */
export const RECORDS = Number(option('records', QUICK ? 100_000 : 1_000_000));
/** Timed loops yield to the event loop every this many calls. */
export const YIELD_EVERY = Number(option('yield-every', 100));
