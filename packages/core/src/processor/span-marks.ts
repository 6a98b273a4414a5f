/**
 * A value per span, kept from `onEnding` until `onEnd` takes it: a property on the span under a symbol private to
 * this instance, with a WeakMap for a span that cannot take a property (frozen, or a proxy that drops it).
 * Cheaper than a WeakMap alone: no ephemeron table entry per span to insert, delete and sweep.
 */
export class SpanMarks<T> {
  private readonly _key = Symbol('tooltrail.span-mark');
  private readonly _fallback = new WeakMap<object, T>();

  set(span: object, value: T): void {
    const marked = span as Record<symbol, unknown>;
    try {
      marked[this._key] = value;
      if (marked[this._key] === value) return;
    } catch {
      // Not extensible: kept below instead.
    }
    this._fallback.set(span, value);
  }

  /** The value set for `span`, removed; undefined when none was. */
  take(span: object): T | undefined {
    const marked = span as Record<symbol, unknown>;
    const value = marked[this._key] as T | undefined;
    if (value !== undefined) {
      marked[this._key] = undefined;
      return value;
    }
    const kept = this._fallback.get(span);
    if (kept !== undefined) this._fallback.delete(span);
    return kept;
  }
}
