import fc from 'fast-check';

/** Lone surrogates mixed into otherwise arbitrary code points. */
const unit = fc.oneof(
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

const key = fc.oneof(
  fc.string({ unit, maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'password', 'apiKey', 'API-KEY', 'toJSON', 'then'),
);

/** Values JSON cannot hold or that fight being read, made fresh per run (cycles are mutable). */
const MAKERS: Record<string, () => unknown> = {
  cycle: () => {
    const node: Record<string, unknown> = { name: 'node' };
    node.self = node;
    node.list = [node, { back: node }];
    return node;
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
  hostileProxy: () =>
    new Proxy(
      {},
      {
        get() {
          throw new Error('get trap');
        },
        ownKeys() {
          throw new Error('ownKeys trap');
        },
        getPrototypeOf() {
          throw new Error('getPrototypeOf trap');
        },
        has() {
          throw new Error('has trap');
        },
        getOwnPropertyDescriptor() {
          throw new Error('descriptor trap');
        },
      },
    ),
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
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ssn":"123-45-6789"}',
    ),
  nullPrototype: () => Object.assign(Object.create(null), { email: 'a@b.co', nested: Object.create(null) }),
  functionWithProps: () => Object.assign(() => 1, { password: 'x' }),
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
  numbers: () => [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE],
  loneSurrogates: () => ({ '\ud800key': '\udfffvalue', ok: 'a\ud83dz' }),
  boxed: () => [new String('s'), new Number(1), new Boolean(false), Object(Symbol('boxed')), Object(1n)],
};

/**
 * A placeholder for a hostile value: fast-check itself inspects generated values (and a revoked proxy throws
 * at the first look), so the arbitraries generate recipes and `materialize` builds the values in the test.
 */
export class Recipe {
  constructor(readonly name: string) {}
}

const special = fc.constantFrom(...Object.keys(MAKERS)).map((name) => new Recipe(name));

/** Builds the value a recipe tree stands for (recipes sit in arrays and plain objects only). */
export function materialize(value: unknown): unknown {
  if (value instanceof Recipe) return (MAKERS[value.name] ?? EXAMPLES[value.name])!();
  if (Array.isArray(value)) return value.map(materialize);
  if (value !== null && typeof value === 'object' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: materialize((value as Record<string, unknown>)[key]),
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

/** Any value (as a recipe), including everything above at any depth among ordinary JSON-ish values. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { weight: 3, arbitrary: special },
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
    { weight: 1, arbitrary: fc.dictionary(key, tie('value'), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
  ),
})).value;

/** A 10 MB string with PII at both ends. */
export function hugeString(): string {
  return `jane@example.org ${'x'.repeat(10 * 1024 * 1024)} 123-45-6789`;
}

/** Nesting `depth` levels deep, objects or arrays, built without recursion. */
export function deepNesting(depth: number, kind: 'object' | 'array'): unknown {
  let value: unknown = { password: 'bottom' };
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { next: value } : [value];
  return value;
}

/** Recipes used as explicit examples only (too big to draw at random). */
const EXAMPLES: Record<string, () => unknown> = {
  hugeString,
  hugeObject: () => ({ note: hugeString(), [hugeString().slice(0, 100_000)]: 'long key' }),
  deepObject: () => deepNesting(10_000, 'object'),
  deepArray: () => deepNesting(10_000, 'array'),
};
