/**
 * The spans `auditTool` started: recorded already, their own attributes redacted already. A mark on the span
 * object under a symbol private to this instance (one setup), with a WeakSet for a span that cannot take a
 * property (frozen, or a proxy that drops it). Cheaper than a WeakSet alone: no ephemeron table entry per span
 * for the garbage collector to sweep.
 */
export class AuditedSpans {
  private readonly _mark = Symbol('tooltrail.audited-span');
  private readonly _fallback = new WeakSet<object>();

  add(span: object): this {
    const marked = span as Record<symbol, unknown>;
    try {
      marked[this._mark] = true;
      if (marked[this._mark] === true) return this;
    } catch {
      // Not extensible: remembered below instead.
    }
    this._fallback.add(span);
    return this;
  }

  has(span: object): boolean {
    return (span as Record<symbol, unknown>)[this._mark] === true || this._fallback.has(span);
  }
}
