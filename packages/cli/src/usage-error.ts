/** Bad flags or arguments: exit code 2 with a message and the command's usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A file or directory that cannot be read, a server that cannot be reached: exit code 2. */
export class InputError extends Error {
  override name = 'InputError';
}
