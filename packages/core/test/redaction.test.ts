import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { setupToolAudit } from '../src/index.js';
import { canonicalize, Redactor } from '../src/internal.js';
import { normalizeKey } from '../src/redaction/normalize-key.js';

const key = { id: 'k1', secret: 'a-test-secret-of-32-bytes-length!' };

describe('Redactor field-name rules', () => {
  const redactor = new Redactor();

  it('treats apiKey, API-KEY and api_key as one rule, at any depth, in arrays and Maps', () => {
    const out = redactor.redactValue({
      apiKey: 'a',
      'API-KEY': 'b',
      nested: { api_key: 'c', list: [{ 'x-api-key': 'd' }, [{ Password: 'e' }]] },
      headers: new Map([['Authorization', 'Bearer zzzzzzzzzzzz']]),
    });
    expect(JSON.parse(JSON.stringify(out))).toEqual({
      apiKey: '[REDACTED:apikey]',
      'API-KEY': '[REDACTED:apikey]',
      nested: {
        api_key: '[REDACTED:apikey]',
        list: [{ 'x-api-key': '[REDACTED:apikey]' }, [{ Password: '[REDACTED:password]' }]],
      },
      headers: { Authorization: '[REDACTED:authorization]' },
    });
  });

  it('covers keys inside lists, cookies, private keys and emails', () => {
    const fields = [
      'password',
      'token',
      'api_key',
      'secret',
      'credit_card',
      'ssn',
      'authorization',
      'patient_name',
      'date_of_birth',
      'address',
      'phone',
      'cookie',
      'private_key',
      'email',
    ];
    const out = redactor.redactValue(Object.fromEntries(fields.map((field) => [field, 'VALUE']))) as Record<
      string,
      string
    >;
    for (const field of fields) expect(out[field], field).toMatch(/^\[REDACTED:/);
  });

  it('pseudonymises personal fields with the key and masks secrets regardless', () => {
    const keyed = new Redactor({ pseudonymKey: key });
    const a = keyed.redactValue({ patient_name: 'Jane  Roe', password: 'x' }) as Record<string, string>;
    const b = keyed.redactValue({ patientName: 'jane roe' }) as Record<string, string>;
    expect(a.patient_name).toMatch(/^hmac:k1:[0-9a-f]{64}$/);
    expect(b.patientName).toBe(a.patient_name);
    expect(a.password).toBe('[REDACTED:password]');
    const otherKey = new Redactor({
      pseudonymKey: { id: 'k2', secret: 'another-secret-of-32-bytes-long!!' },
    });
    expect(
      (otherKey.redactValue({ patient_name: 'Jane Roe' }) as Record<string, string>).patient_name,
    ).not.toContain(a.patient_name!.slice(8));
  });

  it('is idempotent: redacting twice keeps one pseudonym (span start and end, a span turned into a record)', async () => {
    const keyed = new Redactor({
      pseudonymKey: key,
      keys: [{ key: 'tenant.customer', kind: 'customer', action: 'pseudonymize' }],
    });
    const once = keyed.redactValue({ patient_name: 'Jane Roe', note: 'mail jane@example.org' });
    expect(keyed.redactValue(once)).toEqual(once);
    const attributes: Record<string, string> = { 'tenant.customer': 'ACME-42' };
    keyed.redactAttributes(attributes);
    const first = attributes['tenant.customer'];
    expect(first).toBe(keyed.pseudonym('ACME-42', 'customer'));
    keyed.redactAttributes(attributes);
    expect(attributes['tenant.customer']).toBe(first);
    // Another key's pseudonym is a value like any other: hashed under this key.
    const other = new Redactor({ pseudonymKey: { id: 'k2', secret: 'another-secret-of-32-bytes-long!!' } });
    const foreign = (other.redactValue({ patient_name: 'Jane Roe' }) as Record<string, string>).patient_name;
    expect((keyed.redactValue({ patient_name: foreign }) as Record<string, string>).patient_name).toMatch(
      /^hmac:k1:/,
    );

    // Through the span processor: an attribute set at span start is redacted at start and checked again at end.
    const exporter = new InMemorySpanExporter();
    const audit = setupToolAudit({
      exitHooks: false,
      spanExporter: exporter,
      trail: { dir: mkdtempSync(join(tmpdir(), 'tooltrail-idempotent-')) },
      pseudonymKey: key,
      redaction: { keys: [{ key: 'tenant.customer', kind: 'customer', action: 'pseudonymize' }] },
    });
    try {
      trace
        .getTracer('other-library')
        .startSpan('work', { attributes: { 'tenant.customer': 'ACME-42' } })
        .end();
      await audit.forceFlush();
      const [span] = exporter.getFinishedSpans();
      expect(span?.attributes['tenant.customer']).toBe(first);
    } finally {
      await audit.shutdown();
    }
  });

  it('masks instead of hashing when no pseudonym key is configured', () => {
    expect(redactor.redactValue({ ssn: '123-45-6789' })).toEqual(
      expect.objectContaining({ ssn: '[REDACTED:ssn]' }),
    );
  });

  it('applies user rules first, with drop and pseudonymise actions', () => {
    const custom = new Redactor({
      pseudonymKey: key,
      keys: [
        { key: 'internal-notes', action: 'drop' },
        { key: 'mrn', kind: 'mrn', action: 'pseudonymize' },
      ],
    });
    const out = custom.redactValue({ internalNotes: 'secret stuff', MRN: '000123', keep: 1 }) as Record<
      string,
      unknown
    >;
    expect(Object.keys(out).sort()).toEqual(['MRN', 'keep']);
    expect(out.MRN).toMatch(/^hmac:k1:/);
  });

  it('rejects bad rules at construction with a clear message', () => {
    expect(() => new Redactor({ keys: [{ key: '---' }] })).toThrow(/redaction rule #0.*no letters or digits/);
    expect(() => new Redactor({ keys: [{ key: 'x', action: 'hash' as never }] })).toThrow(
      /unknown action "hash"/,
    );
    expect(() => new Redactor({ detectors: { ssn: 'explode' as never } })).toThrow(/detector ssn action/);
    expect(() => new Redactor({ detectors: { dna: 'mask' } as never })).toThrow(
      /unknown redaction detector "dna"/,
    );
    expect(() => new Redactor({ pseudonymKey: { id: 'k', secret: 'short' } })).toThrow(/at least 16 bytes/);
    expect(() => new Redactor({ limits: { maxDepth: 0 } })).toThrow(/maxDepth/);
  });

  it('normalises keys to letters and digits in lower case', () => {
    expect(normalizeKey('X-Api_Key.v2')).toBe('xapikeyv2');
  });
});

describe('Redactor value detectors', () => {
  const redactor = new Redactor();
  const cases: Array<[string, string, string]> = [
    ['ssn', 'SSN 123-45-6789 on file', 'SSN [REDACTED:ssn] on file'],
    ['card (Luhn)', 'card 4111 1111 1111 1111 expires', 'card [REDACTED:card] expires'],
    ['card digits', 'pan=4111111111111111', 'pan=[REDACTED:card]'],
    ['email', 'write to jane.roe@example.org today', 'write to [REDACTED:email] today'],
    ['phone', 'call (555) 014-2233', 'call [REDACTED:phone]'],
    ['intl phone', 'call +44 20 7946 0958 now', 'call [REDACTED:phone] now'],
    ['jwt', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-123', 'token [REDACTED:jwt]'],
    ['bearer', 'auth was Bearer abc.def-ghi_jkl', 'auth was [REDACTED:bearer]'],
    [
      'authorization header',
      'Authorization: Bearer abc.def-ghi_jkl',
      'Authorization: [REDACTED:authorization]',
    ],
    ['aws key', 'id AKIAIOSFODNN7EXAMPLE used', 'id [REDACTED:cloud_key] used'],
    ['iban', 'pay to GB82 WEST 1234 5698 7654 32.', 'pay to [REDACTED:iban].'],
    [
      'pem',
      'k=-----BEGIN PRIVATE KEY-----\nMIIabc\n-----END PRIVATE KEY----- done',
      'k=[REDACTED:private_key] done',
    ],
  ];
  it.each(cases)('finds %s in free text', (_kind, input, expected) => {
    expect(redactor.redactText(input)).toBe(expected);
  });

  it('leaves look-alikes alone: failed Luhn, failed IBAN check digits, dates, ids', () => {
    for (const text of [
      '4111 1111 1111 1112',
      'GB00 WEST 1234 5698 7654 32',
      '2026-11-27T00:00:00Z',
      'ORD-123456',
      'P-1001',
    ]) {
      expect(redactor.redactText(text)).toBe(text);
    }
  });

  it('finds a card next to other digits and a card number that is a JSON number', () => {
    expect(redactor.redactText('ref 12 4111111111111111 99')).toBe('ref 12 [REDACTED:card] 99');
    expect(redactor.redactValue({ note: 'x', card_number: 4111111111111111 })).toEqual(
      expect.objectContaining({ card_number: '[REDACTED:card]' }),
    );
  });

  it('redacts JSON held in a string field by field', () => {
    expect(redactor.redactJsonOrText('{"user":{"password":"p","role":"n"}}')).toBe(
      '{"user":{"password":"[REDACTED:password]","role":"n"}}',
    );
  });
});

describe('Redactor bounds: never throws, always a finite, canonical-ready value', () => {
  const redactor = new Redactor();

  it('marks cycles, BigInt, Symbols, functions, binary data, class instances and throwing getters', () => {
    class Patient {
      constructor(readonly id: string) {}
      get broken(): string {
        throw new Error('getter');
      }
    }
    const cyclic: Record<string, unknown> = { label: 'loop' };
    cyclic.self = cyclic;
    const withThrowingGetter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const out = redactor.redactValue({
      cyclic,
      big: 10n ** 30n,
      sym: Symbol('s'),
      fn: () => 1,
      inArray: [Symbol('s'), () => 1, undefined],
      buf: Buffer.from('hello'),
      typed: new Uint8Array(3),
      set: new Set([1, 2]),
      date: new Date(0),
      patient: new Patient('P-1'),
      withThrowingGetter,
      nan: Number.NaN,
    });
    expect(JSON.parse(canonicalize(out))).toEqual({
      cyclic: { label: 'loop', self: '[circular]' },
      big: '1000000000000000000000000000000',
      // As in JSON, members holding a symbol or a function are left out; in arrays they are marked.
      inArray: ['[symbol]', '[function]', null],
      buf: '[binary:5 bytes]',
      typed: '[binary:3 bytes]',
      set: [1, 2],
      date: '1970-01-01T00:00:00.000Z',
      patient: { id: 'P-1' },
      withThrowingGetter: { boom: '[unserializable]' },
      nan: 'NaN',
    });
  });

  it('survives revoked proxies, 10 MB strings, 10,000-deep nesting, lone surrogates and __proto__ keys', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { next: deep };
    const polluted = JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}');
    const out = redactor.redactValue({
      proxy,
      huge: 'x'.repeat(10 * 1024 * 1024),
      deep,
      lone: 'a\ud800b',
      polluted,
    });
    const json = canonicalize(out);
    expect(json.length).toBeLessThan(20_000);
    const parsed = JSON.parse(json);
    expect(parsed.proxy).toBe('[unserializable]');
    expect(parsed.huge).toMatch(/…\[truncated:10485760 chars\]$/);
    expect(json).toContain('[truncated]:depth');
    expect(parsed.lone).toBe('a\ufffdb');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.keys(parsed.polluted)).toEqual(['__proto__', 'constructor']);
  });

  it('bounds arrays and objects and counts what it left out', () => {
    const out = redactor.redactValue({ rows: Array.from({ length: 250 }, (_, i) => i) }) as {
      rows: unknown[];
    };
    expect(out.rows).toHaveLength(101);
    expect(out.rows[100]).toBe('[+150 more items]');
  });
});
