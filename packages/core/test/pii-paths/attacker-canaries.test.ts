/**
 * An attacker's canaries through the real path: `setupToolAudit` with an in-memory span exporter and log
 * exporter, `auditTool` calls whose arguments, results, errors and span attributes carry personal data written to
 * slip past the detectors (digits of other scripts, dash and space look-alikes, combining marks, JSON escapes,
 * separators, values that are not strings). Each canary is looked for in every reading a reader could decode
 * (`readings`: JSON escapes, percent-decoding, NFKC, digit separators squeezed) in the trail bytes, the exported
 * spans (name, attributes, events, status, links), the exported log records and the `onError` messages.
 * Every case but the guards leaked before its fix.
 */
import { trace } from '@opentelemetry/api';
import { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTool } from '../../src/index.js';
import { readings } from '../pii/leaks.js';
import { type Harness, startAudit } from '../support/audit-harness.js';

const EMAIL = 'carol.canary@example.net';
const SSN = '512-44-7788';
const CARD = '4539 1488 0343 6467';
/** What must never be readable: each value's distinctive part, as the PII corpus writes its needles. */
const NEEDLES = {
  email: 'carol.canary',
  ssn: '512447788',
  card: '4539148803436467',
  phone: '442079460321',
  github: 'cn4rycn4rycn4ry',
  aws: 'qcanarykey7examp',
  pgp: 'lqoybf0canarysecret',
  password: 'hunter2canary',
} as const;

const arabicIndic = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(0x660 + Number(d)));
const devanagari = (text: string) => text.replace(/\d/g, (d) => String.fromCharCode(0x966 + Number(d)));
/** Every character as a JSON `\uXXXX` escape, as `json.dumps(ensure_ascii=True)` writes non-ASCII ones. */
const jsonEscaped = (text: string) =>
  text.replace(/[\s\S]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

let harness: Harness | undefined;
let logs: InMemoryLogRecordExporter;
let reported: string[];
afterEach(async () => {
  await harness?.audit.shutdown();
  harness = undefined;
});

function start(): Harness {
  logs = new InMemoryLogRecordExporter();
  reported = [];
  harness = startAudit({
    logExporter: logs,
    onError: (error) => reported.push(String((error as Error).message)),
  });
  return harness;
}

/** Everything that left the process (or was stored) for the calls so far, as text. */
async function outputs(h: Harness): Promise<Record<string, string>> {
  await h.audit.forceFlush();
  const spans = h.spans
    .getFinishedSpans()
    .map((span) => [span.name, span.attributes, span.events, span.status, span.links]);
  const records = logs.getFinishedLogRecords().map((record) => [record.body, record.attributes]);
  return {
    trail: JSON.stringify(h.records()),
    spans: JSON.stringify(spans),
    logs: JSON.stringify(records),
    errors: reported.join('\n'),
  };
}

/** `path: needle` for each needle readable in each output. */
function leaksOf(out: Record<string, string>, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const [path, text] of Object.entries(out)) {
    const read = readings(text);
    for (const needle of needles) if (read.some((r) => r.includes(needle))) found.push(`${path}: ${needle}`);
  }
  return found;
}

const echo = () => auditTool('echo', async (value: unknown) => ({ ok: true, value }));

async function expectNoLeak(call: () => Promise<unknown>, needles: readonly string[]): Promise<Harness> {
  const h = start();
  await call();
  const out = await outputs(h);
  expect(h.toolCalls().length).toBeGreaterThan(0);
  expect(leaksOf(out, needles)).toEqual([]);
  return h;
}

describe('look-alike characters in free text (arguments, results, errors)', () => {
  it('reads decimal digits of any script as digits (Arabic-Indic SSN, Devanagari card)', async () => {
    await expectNoLeak(async () => {
      const tool = auditTool('lookup', async (_note: string) => {
        throw new Error(`card ${devanagari(CARD)} declined`);
      });
      await tool(`patient ${arabicIndic(SSN)} on file`).catch(() => undefined);
    }, [NEEDLES.card]);
    // The SSN needle is ASCII: check the record holds the mask, not the Arabic-Indic digits.
    const args = String(harness?.toolCalls()[0]?.args);
    expect(args).toBe('patient [REDACTED:ssn] on file');
  });

  it('reads dashes (hyphen, en dash, minus sign) and other spaces as separators', async () => {
    const h = await expectNoLeak(
      () =>
        echo()({
          a: 'ssn 512\u201044\u20107788',
          b: 'on file 512\u201344\u20137788',
          c: `card ${CARD.replace(/ /g, '\u1680')}`,
          d: 'call +44\u221220\u22127946\u22120321',
        }),
      [NEEDLES.ssn, NEEDLES.card, NEEDLES.phone],
    );
    expect(JSON.stringify(h.toolCalls()[0]?.args)).toContain('[REDACTED:ssn]');
  });

  it('drops combining marks on digits (`5\u0301` is a 5)', async () => {
    const marked = (text: string) => text.replace(/\d/g, (d) => `${d}\u0301\u0336`);
    const h = await expectNoLeak(
      () => echo()({ note: `SSN ${marked(SSN)}`, pay: `card ${marked(CARD)}` }),
      [],
    );
    const args = JSON.stringify(h.toolCalls()[0]?.args);
    expect(args).toContain('[REDACTED:ssn]');
    expect(args).toContain('[REDACTED:card]');
    // Marks on letters stay: an accented e-mail is still one e-mail, the text around it as written.
    expect(await echoText('to jo\u0301hn.kanarie@example.org ok')).toBe('to [REDACTED:email] ok');
  });

  it('takes `/`, ` - ` and doubled spaces between card groups, `/` in international phone numbers', async () => {
    await expectNoLeak(
      () =>
        echo()({
          slash: 'card 4539/1488/0343/6467',
          spaced: 'card 4539 - 1488 - 0343 - 6467',
          doubled: 'card 4539  1488  0343  6467',
          phone: 'tel +44/20/7946/0321',
          ssn: 'SSN 512/44/7788',
        }),
      [NEEDLES.card, NEEDLES.phone, NEEDLES.ssn],
    );
  });

  it('reads JSON `\\uXXXX` escapes in text: a tool call whose arguments are JSON text, a span attribute', async () => {
    await expectNoLeak(async () => {
      const tool = auditTool('send', async (_json: string) => {
        trace.getActiveSpan()?.setAttribute('app.note', `ref ${jsonEscaped(EMAIL)}`);
        return 'sent';
      });
      // `json.dumps(..., ensure_ascii=True)`: non-ASCII escaped, and JSON inside JSON (`\\u0040`).
      await tool(`{"to":"${EMAIL.replace('@', '\\u0040')}","cc":"${EMAIL.replace('@', '\\\\u0040')}"}`);
      await tool(`{"note":"SSN ${jsonEscaped(SSN)}"}`);
    }, [NEEDLES.email, NEEDLES.ssn]);
  });

  it('reads the ideographic full stop as a dot in an e-mail domain', async () => {
    await expectNoLeak(() => echo()({ to: `mail carol.canary@example\u3002net` }), [NEEDLES.email]);
  });

  it('finds "SSN" at the end of a word (`patientSSN 512447788`)', async () => {
    await expectNoLeak(() => echo()({ note: 'patientSSN 512447788 verified' }), [NEEDLES.ssn]);
  });

  it('finds provider keys after an underscore and OpenPGP private key blocks', async () => {
    await expectNoLeak(
      () =>
        echo()({
          env: `GITHUB_TOKEN_ghp_${'Cn4ry'.repeat(7)}Z key_AKIAQCANARYKEY7EXAMP`,
          key: '-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF0canarySecretKeyMaterial\n=ab12\n-----END PGP PRIVATE KEY BLOCK-----',
        }),
      [NEEDLES.github, NEEDLES.aws, NEEDLES.pgp],
    );
  });

  it('applies key rules to full-width keys and to keys in curly quotes', async () => {
    await expectNoLeak(
      () =>
        echo()({
          ｐａｓｓｗｏｒｄ: 'hunter2canary',
          log: '{“password”: “hunter2canary”}',
        }),
      [NEEDLES.password],
    );
  });

  it('never keeps a value that ran past the context window once masks before it shortened the text', async () => {
    // A long JWT masked to 14 characters pulls the window's unjudged end (a cut e-mail) under the length bound.
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJ${'a'.repeat(700)}.c2ln`;
    // The e-mail starts 16 characters before the window's end (2,048 + 256): `carol.canary@exa` is all it shows.
    const filler = 'x'.repeat(2048 + 256 - 16 - jwt.length - 2);
    await expectNoLeak(() => echo()({ text: `${jwt} ${filler} ${EMAIL} and more` }), [NEEDLES.email]);
  });
});

describe('values that are not strings', () => {
  it('redacts the name of an Error and the source of a RegExp inside the arguments', async () => {
    class LookupError extends Error {
      override name = `Lookup<${EMAIL}>`;
    }
    const h = await expectNoLeak(
      () =>
        echo()({
          error: new LookupError('failed'),
          renamed: Object.assign(new Error('x'), { name: `E ${SSN}` }),
          pattern: new RegExp(`ssn=${SSN}|${EMAIL}`),
        }),
      [NEEDLES.email, NEEDLES.ssn],
    );
    const args = h.toolCalls()[0]?.args as { error: { type: string } };
    expect(args.error.type).toBe('Lookup<[REDACTED:email]>');
  });

  it('reads whole numbers with card-number digits as text: arguments, result summary, span attributes', async () => {
    const h = await expectNoLeak(async () => {
      const tool = auditTool('charge', async (_args: { amount: number; ref: number }) => {
        trace.getActiveSpan()?.setAttributes({ 'app.ref': 4539148803436467, 'app.refs': [4539148803436467] });
        return { id: 4539148803436467, count: 4539148803436467 };
      });
      await tool({ amount: 12, ref: 4539148803436467 });
      await auditTool('total', async () => 4539148803436467)();
    }, [NEEDLES.card]);
    // Numbers that are no card stay numbers: amounts, epoch milliseconds.
    await auditTool('at', async (_t: number) => ({ count: 1733329243120 }))(1733329243120);
    await h.audit.forceFlush();
    const [first, , last] = h.toolCalls();
    expect(first?.args).toMatchObject({ amount: 12 });
    expect(last?.args).toBe(1733329243120);
    expect(last?.result).toMatchObject({ count: 1733329243120 });
  });

  it('labels a Promise by its class, not by a `constructor` property the caller set', async () => {
    const forged = Promise.resolve(1);
    Object.defineProperty(forged, 'constructor', { value: { name: `SSN ${SSN}` } });
    const h = await expectNoLeak(() => echo()({ pending: forged }), [NEEDLES.ssn]);
    expect(h.toolCalls()[0]?.args).toMatchObject({ pending: '[Promise]' });
  });
});

describe('regression guards (held before these fixes)', () => {
  it('errors: cause, AggregateError members, custom fields, stack; thrown strings, objects and numbers', async () => {
    await expectNoLeak(async () => {
      const failing = (thrown: unknown) =>
        auditTool('fail', async () => {
          throw thrown;
        })().catch(() => undefined);
      await failing(new Error(`outer ${SSN}`, { cause: new Error(EMAIL) }));
      await failing(new AggregateError([new Error(EMAIL)], `all failed for ${EMAIL}`));
      await failing(Object.assign(new Error('x'), { detail: EMAIL, stack: `at ${EMAIL}` }));
      await failing(`SSN ${SSN}`);
      await failing({ note: EMAIL, toJSON: () => ({ ssn: SSN, to: EMAIL }) });
      await failing(4539148803436467);
    }, [NEEDLES.email, NEEDLES.ssn, NEEDLES.card]);
  });

  it('structures: keys, Map and Set, buffers, getters, toJSON, Symbol keys, depth and length limits', async () => {
    class Patient {
      get email() {
        return EMAIL;
      }
      toJSON() {
        return { contact: EMAIL };
      }
    }
    let deep: unknown = EMAIL;
    for (let i = 0; i < 40; i++) deep = { deep };
    await expectNoLeak(
      () =>
        echo()({
          [EMAIL]: 1,
          map: new Map<unknown, unknown>([
            [EMAIL, SSN],
            [{ toString: () => `ssn ${SSN}` }, 1],
          ]),
          set: new Set([EMAIL]),
          bytes: Buffer.from(`SSN ${SSN}`),
          patient: new Patient(),
          [Symbol(EMAIL)]: EMAIL,
          deep,
          long: `${'x'.repeat(2040)}${EMAIL}`,
          url: `https://carol:${'hunter2canary'}@db.example/x?e=${encodeURIComponent(EMAIL)}#access_token=hunter2canary`,
        }),
      [NEEDLES.email, NEEDLES.ssn, NEEDLES.password],
    );
  });
});

/** A string argument as the record holds it. */
async function echoText(text: string): Promise<string> {
  const h = harness as Harness;
  await auditTool('echo-text', async (_text: string) => 'ok')(text);
  await h.audit.forceFlush();
  return String(h.toolCalls().at(-1)?.args);
}
