import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTool, canonicalize, Redactor, verifyTrail } from '../../src/index.js';
import { type Harness, startAudit } from '../support/audit-harness.js';
import { referenceCanonicalize } from '../support/canonical-reference.js';

/**
 * Property-based fuzzing of what agents pass to and get back from tools: whatever the arguments, results and
 * thrown values are, the wrapped tool returns / throws exactly what the tool did, a record is written for
 * every call, the chain verifies, and every stored line is canonical JSON.
 */

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

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
  revoke();
  return proxy;
}

/** A proxy whose every trap throws. */
function hostileProxy(): object {
  const fail = (): never => {
    throw new Error('trap');
  };
  return new Proxy(
    {},
    {
      get: fail,
      has: fail,
      ownKeys: fail,
      getOwnPropertyDescriptor: fail,
      getPrototypeOf: fail,
      set: fail,
      defineProperty: fail,
      deleteProperty: fail,
    },
  );
}

function deep(levels: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < levels; i++) value = { next: value, i };
  return value;
}

function deepArray(levels: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

function cycle(): unknown {
  const a: Record<string, unknown> = { name: 'a' };
  const b = { a, list: [a] };
  a.b = b;
  a.self = a;
  return a;
}

function pollution(): unknown {
  const value = JSON.parse(
    '{"__proto__":{"polluted":true,"ssn":"123-45-6789"},"constructor":{"prototype":{"polluted":true}},"prototype":1}',
  );
  return value;
}

// Built once: big values are the expensive part of the run.
const BIG_STRING = `${'a'.repeat(5 * 1024 * 1024)}jane.roe@example.org${'b'.repeat(5 * 1024 * 1024)}`;
const DEEP_OBJECT = deep(10_000);
const DEEP_ARRAY = deepArray(10_000);

/**
 * Values are generated as recipes (thunks) and built inside the property: fast-check itself must not touch
 * revoked or hostile proxies, throwing getters and cycles.
 */
type Recipe = () => unknown;
const constant =
  (item: unknown): Recipe =>
  () =>
    item;

const leaf: fc.Arbitrary<Recipe> = fc.oneof(
  fc
    .constantFrom<unknown>(
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
    )
    .map(constant),
  fc.constantFrom<Recipe>(
    () => () => 'fn',
    () => Buffer.from('secret bytes'),
    () => new Uint8Array([1, 2, 3]),
    () => new Float64Array(4),
    () => new DataView(new ArrayBuffer(8)),
    () => new ArrayBuffer(16),
    () => new Date(0),
    () => new Date(Number.NaN),
    () => /re+gex/gi,
    () => new WeakMap(),
    () => Promise.resolve(1),
    () => BIG_STRING,
    () => DEEP_OBJECT,
    () => DEEP_ARRAY,
    () => new Patient(),
    () => new Explosive(),
    revokedProxy,
    hostileProxy,
    cycle,
    pollution,
    () => Object.create(null),
  ),
  fc.string({ unit: 'binary', maxLength: 30 }).map(constant),
  fc.double().map(constant),
  fc.bigInt().map(constant),
);

const key = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toJSON',
    'then',
    'hash',
    'seq',
    '\ud800',
    'ssn',
    '10',
    '9',
  ),
);

function defineAll(entries: Array<[string, Recipe]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [k, build] of entries)
    Object.defineProperty(object, k, {
      value: build(),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return object;
}

const { value } = fc.letrec<{ value: Recipe }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }).map((items) => () => items.map((build) => build())),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((entries) => () => defineAll(entries)),
    fc
      .array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 })
      .map((entries) => () => new Map(entries.map(([k, v]) => [k(), v()]))),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => () => new Set(items.map((build) => build()))),
    tie('value').map((inner) => () => new Proxy({ inner: inner() }, {})),
    tie('value').map((inner) => () => {
      // A getter that throws next to a normal field, and an enumerable accessor returning the inner value.
      const object: Record<string, unknown> = { ok: 1 };
      Object.defineProperty(object, 'bad', {
        enumerable: true,
        get: () => {
          throw new Error('getter');
        },
      });
      const built = inner();
      Object.defineProperty(object, 'lazy', { enumerable: true, get: () => built });
      return object;
    }),
    tie('value').map((inner) => () => {
      const error = new Error('failed for jane.roe@example.org') as Error & { detail?: unknown };
      error.detail = inner();
      return error;
    }),
    tie('value').map((inner) => () => {
      const built = inner();
      // A toJSON that returns the inner value, and one that throws.
      return {
        toJSON: () => built,
        other: {
          toJSON: () => {
            throw new Error('toJSON');
          },
        },
      };
    }),
  ),
}));

/** What the tool does with the fuzzed value. */
const behaviour = fc.constantFrom(
  'return-async',
  'throw-async',
  'return-sync',
  'throw-sync',
  'reject-thenable',
);

let harness: Harness;

beforeAll(() => {
  harness = startAudit();
});

afterAll(async () => {
  await harness.audit.shutdown();
});

async function call(mode: string, input: unknown, output: unknown): Promise<{ ok: boolean; value: unknown }> {
  const tools = {
    'return-async': auditTool('fuzz_async', async (_input: unknown) => output),
    'throw-async': auditTool('fuzz_async_throw', async (_input: unknown) => {
      throw output;
    }),
    'return-sync': auditTool('fuzz_sync', (_input: unknown) => output),
    'throw-sync': auditTool('fuzz_sync_throw', (_input: unknown) => {
      throw output;
    }),
    'reject-thenable': auditTool('fuzz_thenable', (_input: unknown) => ({
      // biome-ignore lint/suspicious/noThenProperty: a thenable tool result on purpose
      then: (_resolve: unknown, reject: (reason: unknown) => void) => reject(output),
    })),
  } as Record<string, (input: unknown) => unknown>;
  const tool = tools[mode] as (input: unknown) => unknown;
  let returned: unknown;
  try {
    returned = tool(input);
  } catch (error) {
    return { ok: false, value: error };
  }
  if (mode === 'return-sync') return { ok: true, value: returned };
  try {
    return { ok: true, value: await returned };
  } catch (error) {
    return { ok: false, value: error };
  }
}

/** What the unaudited tool gives the agent (an async tool returning a hostile proxy rejects on its `then`). */
async function bare(mode: string, output: unknown): Promise<{ ok: boolean; value: unknown }> {
  const tools: Record<string, () => unknown> = {
    'return-async': async () => output,
    'throw-async': async () => {
      throw output;
    },
    'return-sync': () => output,
    'throw-sync': () => {
      throw output;
    },
    // biome-ignore lint/suspicious/noThenProperty: a thenable tool result on purpose
    'reject-thenable': () => ({ then: (_: unknown, reject: (reason: unknown) => void) => reject(output) }),
  };
  let returned: unknown;
  try {
    returned = (tools[mode] as () => unknown)();
  } catch (error) {
    return { ok: false, value: error };
  }
  if (mode === 'return-sync') return { ok: true, value: returned };
  try {
    return { ok: true, value: await returned };
  } catch (error) {
    return { ok: false, value: error };
  }
}

/** The audited outcome is the bare one: the very value, or an error of the same kind the runtime made. */
async function expectTransparent(mode: string, output: unknown, outcome: { ok: boolean; value: unknown }) {
  const expected = await bare(mode, output);
  expect(outcome.ok).toBe(expected.ok);
  if (Object.is(expected.value, output)) expect(Object.is(outcome.value, output)).toBe(true);
  else {
    expect(outcome.value).toBeInstanceOf(Error);
    expect((outcome.value as Error).constructor).toBe((expected.value as Error).constructor);
    expect((outcome.value as Error).message).toBe((expected.value as Error).message);
  }
}

describe('fuzzed arguments, results and thrown values (fast-check)', () => {
  it('never throws into the agent, returns/throws exactly what the tool did, and records every call', async () => {
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(behaviour, value, value, async (mode, makeInput, makeOutput) => {
        const input = makeInput();
        const output = makeOutput();
        const before = harness.toolCalls().length;
        const outcome = await call(mode, input, output);
        calls++;
        // Identity, not equality: the agent gets the very value (or thrown value) the tool produced.
        await expectTransparent(mode, output, outcome);
        const records = harness.toolCalls();
        expect(records.length).toBe(before + 1);
        expect((records.at(-1) as { success: boolean }).success).toBe(outcome.ok);
      }),
      { numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? 20261127), endOnFailure: true },
    );
    expect(calls).toBeGreaterThanOrEqual(150);
  });

  it('covers every hostile value in every position, deterministically', async () => {
    const modes = ['return-async', 'throw-async', 'return-sync', 'throw-sync', 'reject-thenable'];
    const hostile: Recipe[] = [
      () => BIG_STRING,
      () => DEEP_OBJECT,
      () => DEEP_ARRAY,
      revokedProxy,
      hostileProxy,
      cycle,
      pollution,
      () => new Explosive(),
      () => 2n ** 100n,
      () => Symbol('s'),
      () => '\ud800',
    ];
    for (const build of hostile) {
      for (const mode of modes) {
        const before = harness.toolCalls().length;
        const input = build();
        const output = build();
        const outcome = await call(mode, input, output);
        await expectTransparent(mode, output, outcome);
        expect(harness.toolCalls().length).toBe(before + 1);
      }
    }
  });

  it('stores canonical JSON only, and the whole fuzzed trail verifies', async () => {
    harness.audit.checkpoint();
    await harness.audit.forceFlush();
    let lines = 0;
    for (const name of readdirSync(harness.dir).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of readFileSync(join(harness.dir, name), 'utf8').trimEnd().split('\n')) {
        lines++;
        const parsed = JSON.parse(line);
        expect(canonicalize(parsed)).toBe(line);
        expect(referenceCanonicalize(parsed)).toBe(line);
        expect(line.length).toBeLessThan(1024 * 1024);
      }
    }
    expect(lines).toBeGreaterThan(150 + 55);
    const report = await verifyTrail(harness.dir);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('redaction output is always canonicalizable (no lone surrogates, BigInt, cycles or non-finite numbers)', () => {
    const redactor = new Redactor();
    fc.assert(
      fc.property(value, (make) => {
        const redacted = redactor.redactValue(make());
        expect(canonicalize(redacted)).toBe(referenceCanonicalize(redacted));
        expect(typeof canonicalize(redactor.redactText(String(make.toString())))).toBe('string');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('leaves Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });
});
