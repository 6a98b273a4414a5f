import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTool } from '../src/index.js';
import { Redactor } from '../src/internal.js';
import { jsonSize, MAX_MEASURED_BYTES, MAX_MEASURED_VALUES } from '../src/record/json-size.js';
import { ResultSummarizer } from '../src/record/result-summary.js';
import { type Harness, startAudit } from './support/audit-harness.js';
import { verifyPinned } from './support/verify-pinned.js';

/** What the summary measured before the bound: the bytes of JSON.stringify, null when it throws. */
function stringifiedSize(value: unknown): number | null {
  if (typeof value === 'string') return Buffer.byteLength(value) + 2;
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : Buffer.byteLength(json);
  } catch {
    return null;
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  get norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;
const shared = { id: 'same' };

/** Values whose JSON.stringify has a rule of its own: toJSON (with its key), boxed primitives, skipped members. */
const EXOTIC: unknown[] = [
  undefined,
  null,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1e21,
  5e-324,
  '',
  'é☃😀',
  '\ud800 lone \udfff',
  '\u0000\u0008\t\n\u000b\f\r\u001f"\\/\u007f\u2028',
  [undefined, () => 1, Symbol('s'), null],
  new Array(3),
  { a: undefined, b: () => 1, [Symbol('k')]: 1, c: Symbol('v') },
  Object.assign(Object.create(null), { id: 'np', '10': 1, '9': [2] }),
  JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
  new Date(0),
  new Date(Number.NaN),
  { when: new Date(86_400_000), nested: { toJSON: (key: string) => `key=${key}` } },
  [{ toJSON: (key: string) => ({ key }) }, { toJSON: () => undefined }],
  Buffer.from('hello'),
  new Uint8Array([1, 200, 3]),
  new Float64Array([0.5, -0, Number.NaN]),
  new DataView(new ArrayBuffer(4)),
  new Map([['a', 1]]),
  new Set([1, 2]),
  /re/g,
  new Error('boom'),
  new Point(3, 4),
  Object(5),
  Object('boxed é'),
  Object(false),
  Object(Symbol('boxed')),
  [Object(1), { n: Object('s') }],
  { shared, again: shared, list: [shared, shared] },
  new Proxy({ id: 'proxied', n: 1 }, {}),
  new Proxy([1, 'two', { three: 3 }], {}),
  Object.defineProperty({ id: 'hidden' }, 'secret', { value: 1, enumerable: false }),
  cyclic,
  [cyclic],
  10n,
  { big: 10n },
  Object.defineProperty({}, 'bad', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  }),
  { toJSON: () => 10n },
];

describe('jsonSize: bounded, and exact below the bounds', () => {
  it('gives what Buffer.byteLength(JSON.stringify(value)) gave, for the values JSON.stringify treats specially', () => {
    for (const value of EXOTIC) {
      expect({ value, ...jsonSize(value) }).toEqual({ value, size: stringifiedSize(value), capped: false });
    }
  });

  it('gives the same size as JSON.stringify on random values (property)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withObjectString: true,
          withUnicodeString: true,
        }),
        (value) => {
          expect(jsonSize(value)).toEqual({ size: stringifiedSize(value), capped: false });
        },
      ),
      { numRuns: 2000 },
    );
  });

  // The meter is reused from call to call: nothing of one measurement (bytes, reads, objects on the stack after a
  // throw) may reach the next, and a measurement made from inside another (a getter, a toJSON) gets its own.
  it('measures each value afresh after capped, cyclic and nested measurements', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const small = { id: 'obs-77', count: 5 };
    const smallSize = stringifiedSize(small);
    expect(jsonSize(new Array(MAX_MEASURED_VALUES + 5).fill(0)).capped).toBe(true);
    expect(jsonSize(small)).toEqual({ size: smallSize, capped: false });
    expect(jsonSize(cyclic)).toEqual({ size: null, capped: false });
    // The cyclic object was on the stack when it threw: measuring it again inside a fresh value is no cycle.
    expect(jsonSize({ nested: cyclic.a, again: small })).toEqual({
      size: stringifiedSize({ nested: 1, again: small }),
      capped: false,
    });
    let inner: unknown;
    const outer = {
      before: 'x'.repeat(10),
      get during() {
        inner = jsonSize({ inner: [1, 2, 3] });
        return small;
      },
      after: [small, small],
    };
    expect(jsonSize(outer)).toEqual({ size: stringifiedSize(outer), capped: false });
    expect(inner).toEqual({ size: stringifiedSize({ inner: [1, 2, 3] }), capped: false });
    expect(jsonSize(small)).toEqual({ size: smallSize, capped: false });
  });

  it('stops at a Proxy claiming a huge length after a handful of traps, not a billion', () => {
    let traps = 0;
    const hostile = new Proxy([], {
      get(target, key, receiver) {
        traps++;
        return key === 'length' ? 1e12 : Reflect.get(target, key, receiver);
      },
    });
    // At least one byte and a comma per claimed element: past the byte cap, so the size says at least that.
    expect(jsonSize(hostile)).toEqual({ size: MAX_MEASURED_BYTES, capped: true });
    expect(traps).toBeLessThan(10);
  });

  it('reads at most MAX_MEASURED_VALUES elements of a long array of small values', () => {
    let reads = 0;
    const hostile = new Proxy(new Array(MAX_MEASURED_VALUES - 1).fill(0), {
      get(target, key, receiver) {
        reads++;
        // Each element is a shared subtree of 50 elements: far more values than the length says.
        return key === 'length' ? Reflect.get(target, key, receiver) : new Array(50).fill(7);
      },
    });
    const measured = jsonSize(hostile);
    expect(measured.capped).toBe(true);
    expect(measured.size).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(MAX_MEASURED_VALUES);
  });

  it('stops past MAX_MEASURED_BYTES of JSON, counting at most that many bytes', () => {
    let reads = 0;
    const chunk = 'x'.repeat(64 * 1024);
    const big = new Proxy(new Array(1000).fill(chunk), {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(jsonSize(big)).toEqual({ size: MAX_MEASURED_BYTES, capped: true });
    // 16 chunks of 64 KiB reach the cap: the remaining 984 elements are never read.
    expect(reads).toBeLessThan(25);
    expect(jsonSize('y'.repeat(MAX_MEASURED_BYTES + 1))).toEqual({ size: MAX_MEASURED_BYTES, capped: true });
  });

  it('stops a "JSON bomb" of shared subtrees (2^40 leaves) after at most MAX_MEASURED_VALUES reads', () => {
    let reads = 0;
    let level: unknown = 'leaf';
    for (let i = 0; i < 40; i++) {
      const child = level;
      const read = () => {
        reads++;
        return child;
      };
      level = Object.defineProperties(
        {},
        { left: { enumerable: true, get: read }, right: { enumerable: true, get: read } },
      );
    }
    const measured = jsonSize(level);
    expect(measured.capped).toBe(true);
    expect(reads).toBeLessThanOrEqual(MAX_MEASURED_VALUES + 1);
  });
});

describe('result summary size', () => {
  it('keeps the summary of an ordinary result as it was (no size_capped member)', () => {
    const summary = new ResultSummarizer(new Redactor()).summarize({ id: 'obs-77', status: 'ok', count: 5 });
    expect({ ...summary }).toEqual({
      success: true,
      id: 'obs-77',
      status: 'ok',
      count: 5,
      size: 39,
      truncated: false,
    });
  });

  it('looks at most maxObjectKeys keys of a result: a million array fields make 200 counts and keys_capped', () => {
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 1_000_000; i++) wide[`rows_${i}`] = [i];
    wide.order_id = 'ORD-1'; // past the limit: not looked at
    const summary = new ResultSummarizer(new Redactor()).summarize(wide);
    expect(Object.keys(summary.counts as object)).toHaveLength(200);
    expect(summary.keys_capped).toBe(true);
    expect(summary.order_id).toBeUndefined();
    expect(JSON.stringify(summary).length).toBeLessThan(10_000);
    // At the limit nothing is capped, and identifiers and counts are all kept.
    const narrow: Record<string, unknown> = { order_id: 'ORD-2' };
    for (let i = 0; i < 199; i++) narrow[`rows_${i}`] = [];
    const kept = new ResultSummarizer(new Redactor()).summarize(narrow);
    expect(kept.keys_capped).toBeUndefined();
    expect(kept.order_id).toBe('ORD-2');
    expect(Object.keys(kept.counts as object)).toHaveLength(199);
    // The limit is the redaction limit of the setup.
    const small = new ResultSummarizer(new Redactor({ limits: { maxObjectKeys: 1 } })).summarize(narrow);
    expect({ ...small, size: 0 }).toEqual({
      success: true,
      order_id: 'ORD-2',
      keys_capped: true,
      size: 0,
      truncated: true,
    });
  });

  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.audit.shutdown();
    harness = undefined;
  });

  it('records a hostile result as size_capped (a lower bound) and the call returns it untouched', async () => {
    harness = startAudit();
    let traps = 0;
    const hostile = new Proxy([], {
      get(target, key, receiver) {
        traps++;
        return key === 'length' ? 2 ** 40 : Reflect.get(target, key, receiver);
      },
    });
    const list = auditTool('list_everything', async () => hostile);
    expect(await list()).toBe(hostile);
    expect(traps).toBeLessThan(10);
    const [record] = harness.toolCalls();
    expect(record?.result).toEqual({
      success: true,
      count: 2 ** 40,
      size: MAX_MEASURED_BYTES,
      size_capped: true,
      truncated: true,
    });
    // Shut down first: a chain still being written has no final checkpoint yet (unfinished).
    await harness.audit.shutdown();
    expect((await verifyPinned(harness.dir)).ok).toBe(true);
  });
});
