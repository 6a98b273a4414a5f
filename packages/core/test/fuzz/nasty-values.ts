import fc from 'fast-check';

/**
 * Shared generators for the fuzz suites: hostile values for tool arguments, results and thrown values, and the
 * seed every property runs with (printed, replayable with `FUZZ_SEED=<n>`).
 */

/** The run's seed: `FUZZ_SEED`, else a fresh one. Printed once per file so a red run can be replayed. */
export function fuzzSeed(label: string): number {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Date.now() % 2 ** 31;
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${fromEnv}`);
  console.log(
    `${label} seed ${seed} (replay: FUZZ_SEED=${seed} pnpm exec vitest run packages/core/test/fuzz)`,
  );
  return seed;
}

/** PII planted in the values below: none of it may reach a stored record or a redacted value. */
export const PLANTED_PII = [
  'jane@example.org',
  'jane.roe@example.org',
  '123-45-6789',
  'hunter2',
  'Bearer abcdef1234567890XYZtoken',
] as const;

/** Lone surrogates mixed into otherwise arbitrary code points. */
export const unit = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** Object keys: arbitrary (lone surrogates), prototype pollution, redaction rules, record fields, JCS order. */
export const key = fc.oneof(
  fc.string({ unit, maxLength: 12 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toJSON',
    'then',
    'password',
    'apiKey',
    'API-KEY',
    'ssn',
    'hash',
    'seq',
    '\ud800',
    '10',
    '9',
    // Keys the result summary copies (so result values reach the record, redacted).
    'id',
    'order_id',
    'status',
  ),
);

/** A 10 MB string with PII at both ends. */
export function hugeString(): string {
  return `jane@example.org ${'x'.repeat(10 * 1024 * 1024)} 123-45-6789`;
}

/** A 10 MB string with PII in the middle, far past any truncation point. */
function hugeStringPiiInside(): string {
  return `${'a'.repeat(5 * 1024 * 1024)}jane.roe@example.org${'b'.repeat(5 * 1024 * 1024)}`;
}

/** Nesting `depth` levels deep, objects or arrays, built without recursion. */
export function deepNesting(depth: number, kind: 'object' | 'array'): unknown {
  let value: unknown = { password: 'bottom' };
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { next: value, i } : [value];
  return value;
}

/** Built on first use, then shared: big immutable values are the expensive part of a run. */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

const sharedHugeString = once(hugeString);
const sharedHugeStringPiiInside = once(hugeStringPiiInside);
const sharedDeepObject = once(() => deepNesting(10_000, 'object'));
const sharedDeepArray = once(() => deepNesting(10_000, 'array'));

class Patient {
  #secret = 'hidden';
  name = 'Jane Roe';
  get ssn(): string {
    return '123-45-6789';
  }
  reveal(): string {
    return this.#secret;
  }
}

class Explosive {
  get boom(): never {
    throw new Error('getter exploded');
  }
}

/** A proxy whose every trap throws. */
function hostileProxy(): object {
  const trap = (name: string) => (): never => {
    throw new Error(`${name} trap`);
  };
  return new Proxy(
    {},
    {
      get: trap('get'),
      has: trap('has'),
      ownKeys: trap('ownKeys'),
      getOwnPropertyDescriptor: trap('descriptor'),
      getPrototypeOf: trap('getPrototypeOf'),
      set: trap('set'),
      defineProperty: trap('defineProperty'),
      deleteProperty: trap('deleteProperty'),
    },
  );
}

/**
 * Values JSON cannot hold or that fight being read, made fresh per run (cycles and proxies are stateful).
 * Leaf makers take no parts; the composite makers at the end wrap materialized inner values.
 */
const MAKERS: Record<string, (...parts: unknown[]) => unknown> = {
  cycle: () => {
    const node: Record<string, unknown> = { name: 'node' };
    node.self = node;
    node.list = [node, { back: node }];
    return node;
  },
  mutualCycle: () => {
    const a: Record<string, unknown> = { name: 'a' };
    const b = { a, list: [a] };
    a.b = b;
    a.self = a;
    return a;
  },
  mapCycle: () => {
    const map = new Map<unknown, unknown>([['password', 'hunter2']]);
    map.set('self', map);
    map.set({ objectKey: true }, 'value');
    return map;
  },
  set: () => new Set([1, 'two', { password: 'x' }, 10n]),
  bigint: () => 12345678901234567890n,
  symbol: () => Symbol('secret'),
  symbolKeyed: () => ({ [Symbol('k')]: 'hidden', visible: Symbol.iterator }),
  buffer: () => Buffer.from('4111 1111 1111 1111'),
  typedArrays: () => [
    new Uint8Array(4),
    new Uint8Array([1, 2, 3]),
    new Float64Array([Number.NaN]),
    new BigInt64Array(2),
    new DataView(new ArrayBuffer(8)),
  ],
  arrayBuffer: () => new ArrayBuffer(16),
  sharedArrayBuffer: () => new SharedArrayBuffer(8),
  classInstance: () =>
    new (class Account {
      #secret = 'private';
      password = 'hunter2';
      owner = 'jane@example.org';
      get derived(): string {
        return this.#secret;
      }
    })(),
  patient: () => new Patient(),
  explosive: () => new Explosive(),
  throwingGetter: () =>
    Object.defineProperty({ ok: 1 }, 'secret', {
      enumerable: true,
      get() {
        throw new Error('getter threw');
      },
    }),
  throwingToJSON: () => ({
    toJSON() {
      throw new Error('toJSON threw');
    },
  }),
  throwingToString: () => ({
    toString() {
      throw new Error('toString threw');
    },
    [Symbol.toPrimitive]() {
      throw new Error('toPrimitive threw');
    },
  }),
  hostileProxy,
  revokedProxy: () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    return proxy;
  },
  arrayProxy: () =>
    new Proxy([1, 2, 3], {
      get: (target, property) => (property === 'length' ? 100_000 : Reflect.get(target, property)),
    }),
  pollution: () =>
    JSON.parse(
      '{"__proto__":{"polluted":true,"ssn":"123-45-6789"},"constructor":{"prototype":{"polluted":true}},"prototype":1,"ssn":"123-45-6789"}',
    ),
  nullPrototype: () => Object.assign(Object.create(null), { email: 'a@b.co', nested: Object.create(null) }),
  emptyNullPrototype: () => Object.create(null),
  plainFunction: () => () => 'fn',
  functionWithProps: () => Object.assign(() => 1, { password: 'x' }),
  promise: () => Promise.resolve(1),
  errorCycle: () => {
    const error = new Error('contact jane@example.org') as Error & { cause?: unknown; self?: unknown };
    error.cause = error;
    error.self = error;
    return error;
  },
  errorHostileName: () => {
    const error = new Error('boom');
    Object.defineProperty(error, 'name', {
      get() {
        throw new Error('name getter');
      },
    });
    return error;
  },
  weak: () => [new WeakMap(), new WeakSet(), new WeakRef({})],
  hugeArray: () => new Array(1_000_000).fill('x'),
  sparse: () => {
    const holes: unknown[] = [1];
    holes[5] = 3;
    return holes;
  },
  dates: () => [new Date(Number.NaN), new Date(0)],
  regexp: () => /secret-\d+/gi,
  numbers: () => [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE, 1e21],
  loneSurrogates: () => ({ '\ud800key': '\udfffvalue', ok: 'a\ud83dz' }),
  boxed: () => [new String('s'), new Number(1), new Boolean(false), Object(Symbol('boxed')), Object(1n)],
  // Big values, shared (built once): 10 MB strings and 10,000-deep nesting.
  hugeString: sharedHugeString,
  hugeStringPiiInside: sharedHugeStringPiiInside,
  deepObject: sharedDeepObject,
  deepArray: sharedDeepArray,
  hugeObject: () => ({ note: sharedHugeString(), [sharedHugeString().slice(0, 100_000)]: 'long key' }),

  // Composites around inner values.
  mapOf: (entries) => new Map(entries as Array<[unknown, unknown]>),
  setOf: (items) => new Set(items as unknown[]),
  proxyOf: (inner) => new Proxy({ inner }, {}),
  gettersAround: (inner) => {
    // A getter that throws next to a normal field, and an enumerable accessor returning the inner value.
    const object: Record<string, unknown> = { ok: 1 };
    Object.defineProperty(object, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    Object.defineProperty(object, 'lazy', { enumerable: true, get: () => inner });
    return object;
  },
  errorWith: (inner) => {
    const error = new Error('failed for jane.roe@example.org') as Error & { detail?: unknown };
    error.detail = inner;
    return error;
  },
  toJSONOf: (inner) => ({
    // A toJSON that returns the inner value, and one that throws.
    toJSON: () => inner,
    other: {
      toJSON: () => {
        throw new Error('toJSON');
      },
    },
  }),
};

/**
 * A placeholder for a hostile value: fast-check itself inspects generated values (and a revoked proxy throws
 * at the first look), so the arbitraries generate recipes and `materialize` builds the values in the test.
 */
export class Recipe {
  constructor(
    readonly name: string,
    readonly parts: readonly unknown[] = [],
  ) {
    if (!MAKERS[name]) throw new Error(`unknown recipe ${name}`);
  }

  [fc.toStringMethod](): string {
    return `Recipe(${[this.name, ...this.parts].map((part) => fc.stringify(part)).join(', ')})`;
  }
}

const COMPOSITES = new Set(['mapOf', 'setOf', 'proxyOf', 'gettersAround', 'errorWith', 'toJSONOf']);
const BIG = new Set(['hugeString', 'hugeStringPiiInside', 'deepObject', 'deepArray', 'hugeObject']);

/** Every leaf recipe (no parts), big ones included. */
export const LEAF_RECIPES: readonly string[] = Object.keys(MAKERS).filter((name) => !COMPOSITES.has(name));

/** Every composite recipe, wrapping a fixed hostile inner value: for deterministic coverage. */
export function compositeExamples(): Recipe[] {
  const inner = new Recipe('revokedProxy');
  const cycle = new Recipe('cycle');
  return [
    new Recipe('mapOf', [[[inner, cycle]]]),
    new Recipe('setOf', [[new Recipe('hostileProxy'), cycle]]),
    new Recipe('proxyOf', [new Recipe('throwingGetter')]),
    new Recipe('gettersAround', [cycle]),
    new Recipe('errorWith', [inner]),
    new Recipe('toJSONOf', [new Recipe('hostileProxy')]),
  ];
}

/** Builds the value a recipe tree stands for (recipes sit in arrays, plain objects and recipe parts). */
export function materialize(value: unknown): unknown {
  if (value instanceof Recipe)
    return (MAKERS[value.name] as (...parts: unknown[]) => unknown)(...value.parts.map(materialize));
  if (Array.isArray(value)) return value.map(materialize);
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    // defineProperty, not assignment: `__proto__` stays an own key instead of replacing the prototype.
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      Object.defineProperty(out, k, {
        value: materialize((value as Record<string, unknown>)[k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Small hostile leaves: named recipes (big ones rarely) and primitives JSON cannot hold. */
const leaf: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...LEAF_RECIPES.filter((name) => !BIG.has(name)))
      .map((name) => new Recipe(name)),
  },
  { weight: 1, arbitrary: fc.constantFrom(...BIG).map((name) => new Recipe(name)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      undefined,
      null,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      1e21,
      123n,
      2n ** 100n,
      Symbol('tool'),
      Symbol.for('shared'),
      '\ud800',
      'x\udfffy',
      '\ud83d',
      '123-45-6789',
      'Bearer abcdef1234567890XYZtoken',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.bigInt() },
);

/** Any value (as a recipe), including everything above at any depth among ordinary JSON-ish values. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    // The first arm is what fast-check falls back to at maxDepth: leaves only.
    { weight: 4, arbitrary: leaf },
    {
      weight: 3,
      arbitrary: fc.anything({
        key,
        stringUnit: unit,
        maxDepth: 3,
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true,
      }),
    },
    { weight: 1, arbitrary: fc.dictionary(key, tie('value'), { maxKeys: 5 }) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 })
        .map((entries) => new Recipe('mapOf', [entries])),
    },
    {
      weight: 1,
      arbitrary: fc.array(tie('value'), { maxLength: 3 }).map((items) => new Recipe('setOf', [items])),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('proxyOf', 'gettersAround', 'errorWith', 'toJSONOf'), tie('value'))
        .map(([name, inner]) => new Recipe(name, [inner])),
    },
  ),
})).value;
