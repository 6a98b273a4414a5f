import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditTool, canonicalize, Redactor, verifyTrail } from '../../src/index.js';
import { startAudit } from '../support/audit-harness.js';
import { materialize, nastyValue, Recipe } from './nasty-values.js';

type Behaviour = 'return' | 'throw' | 'resolve' | 'reject';
type Settled = { kind: 'ok' | 'error'; value: unknown };

/** Runs `call`, awaiting a promise it returns; never rejects. */
async function settle(call: () => unknown): Promise<Settled & { sync: boolean }> {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    return { kind: 'error', value: error, sync: true };
  }
  if (!isPromise(returned)) return { kind: 'ok', value: returned, sync: true };
  try {
    return { kind: 'ok', value: await returned, sync: false };
  } catch (error) {
    return { kind: 'error', value: error, sync: false };
  }
}

/** `instanceof Promise`, for values whose prototype lookup throws (proxies). */
function isPromise(value: unknown): value is Promise<unknown> {
  try {
    return value instanceof Promise;
  } catch {
    return false;
  }
}

function toolFor(behaviour: Behaviour, value: unknown): (...args: unknown[]) => unknown {
  switch (behaviour) {
    case 'return':
      return () => value;
    case 'throw':
      return () => {
        throw value;
      };
    case 'resolve':
      return async () => value;
    case 'reject':
      return async () => {
        throw value;
      };
  }
}

const BEHAVIOURS: Behaviour[] = ['return', 'throw', 'resolve', 'reject'];
const behaviour = fc.constantFrom(...BEHAVIOURS);

describe('fuzzing tool arguments, results and thrown values (fast-check)', () => {
  it('never throws into the agent, always writes a record, and the chain verifies', async () => {
    // Strict calls fdatasync their intents: on a loaded shared disk that alone can take seconds per call, so
    // the trail lives on tmpfs where the machine has one (durability is not what this test is about).
    const trail = existsSync('/dev/shm') ? { dir: mkdtempSync('/dev/shm/tooltrail-fuzz-') } : undefined;
    const harness = startAudit({ checkpoints: { everyRecords: 1_000_000 }, trail });
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const { audit } = harness;
    let calls = 0;
    let strictCalls = 0;
    const property = fc.asyncProperty(
      nastyValue,
      nastyValue,
      behaviour,
      fc.boolean(),
      async (argsRecipe, valueRecipe, how, strict) => {
        const args = materialize(argsRecipe);
        const value = materialize(valueRecipe);
        const before = audit.stats().records;
        const fn = toolFor(how, value);
        const expected = await settle(() => fn(args));
        const wrapped = auditTool('fuzz_tool', fn, { strict, subject: () => 'fuzz:1' });
        const actual = await settle(() => wrapped(args));
        calls++;
        if (strict) strictCalls++;
        // Same outcome, same sync/async shape, and the very same value or error object.
        expect(actual.kind).toBe(expected.kind);
        expect(actual.sync).toBe(expected.sync);
        if (expected.value === value) expect(actual.value).toBe(value);
        expect(audit.stats().records - before).toBe(strict ? 2 : 1);
        expect(audit.stats().lost).toBe(0);
      },
    );
    const big = new Recipe('hugeString');
    // The seed is printed so a failing run can be replayed with FUZZ_SEED.
    console.log(`fuzz-tool-calls seed ${seed}`);
    await fc.assert(property, {
      numRuns: 250,
      seed,
      examples: [
        [big, big, 'throw', false],
        [new Recipe('hugeObject'), new Recipe('hugeObject'), 'resolve', true],
        [new Recipe('deepObject'), new Recipe('deepArray'), 'return', false],
        [new Recipe('deepArray'), new Recipe('deepObject'), 'reject', true],
        [{ '\ud800': '\udc00' }, '\ud83d', 'resolve', false],
      ],
    });

    await audit.forceFlush();
    const lines = readFileSync(join(harness.dir, `${audit.chainId}.000000.jsonl`), 'utf8')
      .trimEnd()
      .split('\n');
    // Every line is canonical JSON of what it holds (so it re-hashes anywhere), and bounded.
    for (const line of lines) {
      expect(canonicalize(JSON.parse(line))).toBe(line);
      expect(line.length).toBeLessThan(2_000_000);
    }
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.filter((record) => record.type === 'tool_call')).toHaveLength(calls);
    expect(records.filter((record) => record.type === 'intent')).toHaveLength(strictCalls);
    expect(lines.some((line) => line.includes('jane@example.org') || line.includes('123-45-6789'))).toBe(
      false,
    );
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    const report = await verifyTrail(harness.dir);
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(lines.length);
    await audit.shutdown();
    if (trail) rmSync(trail.dir, { recursive: true, force: true });
  }, 120_000);

  it('canonical JSON never fails on what redaction produces, whatever the input', () => {
    const redactor = new Redactor();
    fc.assert(
      fc.property(nastyValue, (recipe) => {
        const redacted = redactor.redactValue(materialize(recipe));
        const text = canonicalize(redacted);
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
      {
        numRuns: 1_000,
        examples: [
          [new Recipe('hugeString')],
          [new Recipe('hugeObject')],
          [new Recipe('deepObject')],
          [new Recipe('deepArray')],
        ],
      },
    );
  });
});
