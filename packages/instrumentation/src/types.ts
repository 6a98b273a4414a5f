/** The frameworks tooltrail instruments. */
export type InstrumentationName = 'mcp' | 'ai' | 'openai' | 'langchain' | 'openai-agents';

/** What an instrumentation's `enable()` is given. */
export interface EnableContext {
  /** Directory the target packages are resolved from, as the application would resolve them. */
  resolveFrom: string;
  /** Logs one line (diag + process warning); instrumentations call it once per problem, never per call. */
  log: (message: string) => void;
  /**
   * The caller cannot await (a CommonJS `-r` preload): a module copy that can only be patched after `enable()`
   * returns is reported as late.
   */
  synchronous?: boolean;
}

/** One installed copy of a target package, found from `resolveFrom`. */
export interface FoundPackage {
  name: string;
  version: string;
  /** Real path of the package directory (symlinks resolved, as Node's loaders do). */
  dir: string;
}

/** What `enable()` did. */
export interface EnableResult {
  /** Packages (`name@version`) whose hooks are in place. */
  patched: string[];
  /** Packages found but left alone (out of range, unknown layout), with the reason. */
  skipped: string[];
}

/** One framework instrumentation. */
export interface ToolInstrumentation {
  name: InstrumentationName;
  /** npm packages this instrumentation hooks; it is enabled when any of them is installed. */
  packages: string[];
  /** Supported versions, as listed in the README (a semver range, or one range per package). */
  supportedVersions: string;
  /**
   * Installs the hooks. Every module copy this Node can load synchronously (CommonJS, and ES modules through
   * `require(esm)`) is patched before the first `await`, so the `-r` entry, which cannot wait, still patches
   * them before the application runs.
   */
  enable(context: EnableContext): Promise<EnableResult>;
}

/** Options of `registerToolInstrumentations()`. */
export interface RegisterToolInstrumentationsOptions {
  /**
   * Instrumentations to enable. Env `TOOLTRAIL_INSTRUMENTATIONS` (comma-separated, e.g. `mcp,ai`).
   * @default every instrumentation whose target package is installed
   */
  include?: InstrumentationName[];
  /**
   * Where target packages are resolved from.
   * @default the directory of the entry script (`process.argv[1]`), else the working directory
   */
  resolveFrom?: string;
  /** Receives the log lines (out-of-range versions, failed hooks). @default diag.warn + a process warning */
  log?: (message: string) => void;
  /**
   * Set by a CommonJS preload that cannot await the returned promise: a module copy this Node can only patch
   * asynchronously (no `require(esm)`) is then reported as late (warning and metric).
   * @default false
   */
  synchronous?: boolean;
}
