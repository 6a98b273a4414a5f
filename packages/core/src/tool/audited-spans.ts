import type { OwnValues } from '../processor/own-values.js';

/**
 * The spans `auditTool` started (recorded already), each with the values the runner put on it already redacted.
 * A mark on the span object under a symbol private to this instance (one setup), with a WeakMap for a span that
 * cannot take a property (frozen, or a proxy that drops it). Cheaper than a WeakMap alone: no ephemeron table
 * entry per span for the garbage collector to sweep.
 *
 * The runner announces the span it is about to start (`expect`), so that the processor's `onStart`, which runs
 * inside `startSpan`, can tell it from any other span (`claim`).
 */
export class AuditedSpans {
  private readonly _mark = Symbol('tooltrail.audited-span');
  private readonly _fallback = new WeakMap<object, OwnValues>();
  private _expectedName: string | undefined = undefined;
  private _expectedOwn: OwnValues | undefined = undefined;

  /** The runner starts a span named `name` now, holding `own`; `undefined`: it is started (or failed to start). */
  expect(name: string | undefined, own: OwnValues | undefined): void {
    this._expectedName = name;
    this._expectedOwn = own;
  }

  /**
   * In the processor's `onStart`: the values of the span the runner announced, which is marked as audited; undefined
   * for any other span (an announcement is claimed once, by a span of that name).
   */
  claim(span: { readonly name: string }): OwnValues | undefined {
    const own = this._expectedOwn;
    if (own === undefined || span.name !== this._expectedName) return undefined;
    this._expectedOwn = undefined;
    this._expectedName = undefined;
    this.add(span, own);
    return own;
  }

  add(span: object, own: OwnValues): this {
    const marked = span as Record<symbol, unknown>;
    try {
      if (marked[this._mark] === own) return this;
      marked[this._mark] = own;
      if (marked[this._mark] === own) return this;
    } catch {
      // Not extensible: remembered below instead.
    }
    this._fallback.set(span, own);
    return this;
  }

  /** The runner's values on `span`; undefined when the runner did not start it. */
  own(span: object): OwnValues | undefined {
    return (
      ((span as Record<symbol, unknown>)[this._mark] as OwnValues | undefined) ?? this._fallback.get(span)
    );
  }
}
