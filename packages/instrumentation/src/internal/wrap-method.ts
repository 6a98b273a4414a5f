const ORIGINAL = Symbol.for('tooltrail.instrumentation.original');

// biome-ignore lint/suspicious/noExplicitAny: patched methods have arbitrary signatures.
type AnyMethod = (this: any, ...args: any[]) => any;

/**
 * Replaces `owner[name]` with `wrap(original)` once: a second call (both builds, two registrations) is a no-op.
 * An inherited method is wrapped as an own property of `owner`, so sibling classes stay untouched.
 */
export function wrapMethod(owner: object, name: string, wrap: (original: AnyMethod) => AnyMethod): boolean {
  const current = (owner as Record<string, unknown>)[name];
  if (typeof current !== 'function') return false;
  if (Object.hasOwn(current, ORIGINAL)) return true;
  const wrapped = wrap(current as AnyMethod);
  Object.defineProperty(wrapped, ORIGINAL, { value: current });
  Object.defineProperty(wrapped, 'name', { value: current.name, configurable: true });
  Object.defineProperty(owner, name, {
    value: wrapped,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return true;
}
