import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTool, setupToolAudit, type ToolAudit } from '../../src/index.js';
import { Redactor } from '../../src/internal.js';
import { tempDir } from '../support/make-trail.js';
import { CANARIES, type Canary, CORPUS_VERSION, leaks } from './corpus-v1.js';
import { LOOK_ALIKES, SEMCONV_ATTRIBUTES } from './false-positives-v1.js';

const key = { id: 'k1', secret: 'a-test-secret-of-32-bytes-length!' };
const textOf = (canary: Canary) =>
  typeof canary.input === 'string' ? canary.input : JSON.stringify(canary.input);
const ids = (found: readonly Canary[]) => found.map((canary) => canary.id);

/** Each canary as span attributes: a string under a neutral key, or the object's members (non-strings as JSON). */
function asAttributes(canary: Canary): Record<string, string> {
  if (typeof canary.input === 'string') return { 'app.note': canary.input };
  return Object.fromEntries(
    Object.entries(canary.input).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

describe(`PII corpus v${CORPUS_VERSION}`, () => {
  it('is large and varied enough to mean something: >= 300 canaries in >= 40 forms, every one detectable by leaks()', () => {
    expect(CANARIES.length).toBeGreaterThanOrEqual(300);
    expect(new Set(CANARIES.map((canary) => canary.form)).size).toBeGreaterThanOrEqual(40);
    expect(new Set(CANARIES.map((canary) => canary.id)).size).toBe(CANARIES.length);
    // The check itself: every unredacted input is reported as a leak of its own canary.
    const silent = CANARIES.filter((canary) => !ids(leaks(textOf(canary), [canary])).includes(canary.id));
    expect(silent.map((canary) => canary.id)).toEqual([]);
  });

  for (const [name, redactor] of [
    ['without a pseudonym key', new Redactor()],
    ['with a pseudonym key', new Redactor({ pseudonymKey: key })],
  ] as const) {
    it(`leaks nothing through redactText, redactJsonOrText, redactValue and redactAttributes (${name})`, () => {
      const leaked: string[] = [];
      for (const canary of CANARIES) {
        const outputs: string[] = [JSON.stringify(redactor.redactValue(canary.input))];
        if (typeof canary.input === 'string') {
          outputs.push(redactor.redactText(canary.input), redactor.redactJsonOrText(canary.input));
          outputs.push(JSON.stringify(redactor.redactValue({ items: [[canary.input]] })));
          outputs.push(JSON.stringify(redactor.redactValue({ [canary.input]: 1 })));
        }
        const attributes = asAttributes(canary);
        redactor.redactAttributes(attributes);
        outputs.push(JSON.stringify(attributes));
        const list: Record<string, string[]> = { 'app.list': ['ok', textOf(canary)] };
        redactor.redactAttributes(list);
        outputs.push(JSON.stringify(list));
        for (const output of outputs)
          if (leaks(output, [canary]).length > 0) leaked.push(`${canary.id}: ${output}`);
      }
      expect(leaked).toEqual([]);
    });
  }

  it('is idempotent on every canary shorter than the length bound (redacting twice changes nothing)', () => {
    const keyed = new Redactor({ pseudonymKey: key });
    const changed = CANARIES.filter((canary) => textOf(canary).length < keyed.limits.maxStringLength)
      .map((canary) => [canary.id, JSON.stringify(keyed.redactValue(canary.input))] as const)
      .filter(([, once]) => JSON.stringify(keyed.redactValue(JSON.parse(once))) !== once)
      .map(([id]) => id);
    expect(changed).toEqual([]);
  });

  describe('through auditTool into the trail bytes (args, results, thrown errors)', () => {
    let audit: ToolAudit;
    let dir: string;

    beforeAll(async () => {
      dir = tempDir();
      audit = setupToolAudit({ trail: { dir }, register: false, exitHooks: false });
      const echo = auditTool('pii_echo', async (args: { probe: number; payload: unknown }) => ({
        probe: args.probe,
        echoed: args.payload,
      }));
      const fail = auditTool('pii_fail', async (args: { probe: number; payload: unknown }) => {
        throw new Error(`cannot process ${textOf(CANARIES[args.probe] as Canary)}`);
      });
      for (let probe = 0; probe < CANARIES.length; probe++) {
        const payload = (CANARIES[probe] as Canary).input;
        await echo({ probe, payload });
        await expect(fail({ probe, payload })).rejects.toThrow(/cannot process/);
      }
      await audit.shutdown();
    });

    afterAll(async () => {
      await audit?.shutdown();
    });

    it('writes two records per canary, none holding its canary in any decoded form', () => {
      const files = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
      const lines = files.flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'));
      const leaked: string[] = [];
      let probes = 0;
      for (const line of lines) {
        const probe = /"probe":(\d+)/.exec(line);
        if (!probe) continue;
        probes++;
        const canary = CANARIES[Number(probe[1])] as Canary;
        if (leaks(line, [canary]).length > 0) leaked.push(`${canary.id}: ${line.slice(0, 300)}`);
      }
      expect(probes).toBe(CANARIES.length * 2);
      expect(leaked).toEqual([]);
    });
  });
});

describe('false-positive corpus v1', () => {
  const redactor = new Redactor({ pseudonymKey: key });

  it('keeps every semantic-convention attribute as it is', () => {
    const attributes = { ...SEMCONV_ATTRIBUTES };
    redactor.redactAttributes(attributes);
    expect(attributes).toEqual(SEMCONV_ATTRIBUTES);
  });

  it('keeps ids, timestamps, blobs, prices and versions in free text as they are', () => {
    const changed = LOOK_ALIKES.map((text) => [text, redactor.redactText(text)]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([]);
  });
});
