/** Package version, written into the instrumentation scope. */
export const VERSION = '0.1.0';
