/**
 * An empty object with no prototype chain to inherit from or to pollute, like `Object.create(null)`: a
 * `__proto__` key is an ordinary own property, `toString` or `constructor` are not there. Its prototype is one
 * frozen, empty, null-prototype object rather than null because V8 keeps `Object.create(null)` objects in
 * dictionary mode (a hash table per object: about three times slower to fill and to read than this).
 */
export function plainObject(): Record<string, unknown> {
  return new (PlainObject as unknown as new () => Record<string, unknown>)();
}

function PlainObject(): void {}
PlainObject.prototype = Object.freeze(Object.create(null));
