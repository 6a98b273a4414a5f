import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyTrail } from '@tooltrail/core';
import type { RecordLineSink } from '@tooltrail/core/internal';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanAuditBodies } from '../src/sources/archive-line-scan.js';
import { ArchiveSource } from '../src/sources/archive-source.js';
import { demoTrail } from './support/source-fixtures.js';

// The archive read as a witness takes each OTLP line's audit bodies from its bytes (`archive-line-scan.ts`) instead
// of `JSON.parse`; these tests hold it to give exactly what iterating the archive gives (the `JSON.parse` path):
// the same record lines in the same order, the same malformed reports, the same verdicts.

type Event = { text: string } | { malformed: [string, string] } | { threw: string };

/** What iterating `verifiable().input` gives (the JSON.parse path). */
async function byIteration(path: string): Promise<Event[]> {
  const events: Event[] = [];
  const { input } = new ArchiveSource(path).verifiable((where, reason) =>
    events.push({ malformed: [where, reason] }),
  );
  try {
    for await (const text of { [Symbol.asyncIterator]: input[Symbol.asyncIterator] }) events.push({ text });
  } catch (error) {
    events.push({ threw: (error as Error).message });
  }
  return events;
}

/** What `readRecordLines` gives (the byte scan, or the parse for lines it does not take). */
async function byBytes(path: string): Promise<Event[]> {
  const events: Event[] = [];
  const { input } = new ArchiveSource(path).verifiable((where, reason) =>
    events.push({ malformed: [where, reason] }),
  );
  const sink: RecordLineSink = {
    bytes: (bytes, start, end) => events.push({ text: bytes.toString('utf8', start, end) }),
    text: (text) => events.push({ text }),
  };
  try {
    await input.readRecordLines(sink);
  } catch (error) {
    events.push({ threw: (error as Error).message });
  }
  return events;
}

const dir = mkdtempSync(join(tmpdir(), 'tooltrail-archive-bytes-'));
let fileCount = 0;

/** Writes `lines` (strings, or raw bytes) as one archive file; returns its path. */
function archiveFile(lines: Array<string | Buffer>, separator = '\n'): string {
  const file = join(dir, `archive-${++fileCount}.jsonl`);
  writeFileSync(
    file,
    Buffer.concat(
      lines.flatMap((line) => [typeof line === 'string' ? Buffer.from(line) : line, Buffer.from(separator)]),
    ),
  );
  return file;
}

async function expectSameEvents(lines: Array<string | Buffer>, separator?: string): Promise<Event[]> {
  const file = archiveFile(lines, separator);
  const expected = await byIteration(file);
  expect(await byBytes(file)).toEqual(expected);
  return expected;
}

const RECORD = '{"chain":"c1","hash":"ab","seq":1,"type":"tool_call","v":1}';
const logRecord = (body: string, extra = '') => `{${extra}"body":{"stringValue":${JSON.stringify(body)}}}`;
const otlp = (scopes: string) => `{"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[${scopes}]}]}`;
const audit = (records: string, scope = '{"name":"tooltrail.audit","version":"0.1.0"}') =>
  `{"scope":${scope},"logRecords":[${records}]}`;

describe('the archive read as a witness from its bytes', () => {
  it('hands over the bodies iterating gives, escapes and unicode decoded', async () => {
    const bodies = [
      RECORD,
      '{"a":"quote \\" backslash \\\\ slash / tab \t newline \n cr \r bs \b ff \f nul \u0000"}',
      'é ü ß — 漢字 😀 \u2028 \u2029 \u007f \u0080 \u07ff \u0800 \uffff',
      '',
      'x'.repeat(70_000),
    ];
    const line = otlp(audit(bodies.map((body) => logRecord(body)).join(',')));
    // JSON.stringify writes the non-ASCII raw; the same bodies again with every character escaped.
    const escaped = line.replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const lines = [line, escaped, line.replace(/\//g, '\\/')];
    for (const taken of lines) expect(scanAuditBodies(Buffer.from(taken))).toBe(true);
    const events = await expectSameEvents(lines);
    expect(events).toEqual([...bodies, ...bodies, ...bodies].map((text) => ({ text })));
  });

  it('hands over every body of a line holding thousands, in order', async () => {
    const bodies = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"s":"\\"${'é'.repeat(i % 5)}"}`);
    const line = otlp(audit(bodies.map((body) => logRecord(body)).join(',')));
    expect(scanAuditBodies(Buffer.from(line))).toBe(true);
    const events = await expectSameEvents([line, line]);
    expect(events).toEqual([...bodies, ...bodies].map((text) => ({ text })));
  });

  it('gives a body with a lone surrogate escape exactly (as text: UTF-8 cannot carry it)', async () => {
    const events = await expectSameEvents([
      otlp(audit(`${logRecord('before')},{"body":{"stringValue":"lone \\ud800 high"}}`)),
      otlp(
        audit('{"body":{"stringValue":"lone \\udc00 low"}},{"body":{"stringValue":"\\ud83d\\ude00 pair"}}'),
      ),
      otlp(audit('{"body":{"stringValue":"reversed \\udc00\\ud800"}}')),
    ]);
    expect(events).toEqual([
      { text: 'before' },
      { text: 'lone \ud800 high' },
      { text: 'lone \udc00 low' },
      { text: '😀 pair' },
      { text: 'reversed \udc00\ud800' },
    ]);
  });

  it('takes only the audit scope, only body.stringValue, never a look-alike inside another value', async () => {
    const decoy = '"body":{"stringValue":"DECOY"}';
    const events = await expectSameEvents([
      otlp(
        [
          // Another scope, before and after, with odd records of its own (a map body, no body).
          `{"scope":{"name":"app"},"logRecords":[${logRecord('app')},{"body":{"kvlistValue":{}}},{}]}`,
          audit(
            [
              // Look-alikes: a body inside an attribute, inside a string, a nested stringValue, a key `body` deeper.
              logRecord(
                'real-1',
                `"attributes":[{"key":"k","value":{"stringValue":${JSON.stringify(`{${decoy}}`)}}}],"x":{${decoy}},`,
              ),
              `{"body":{"stringValue":"real-2","kvlistValue":{"values":[{"key":"stringValue","value":{"stringValue":"DECOY"}}]}}}`,
            ].join(','),
          ),
          `{"scope":{"name":"tooltrail.audit.other"},"logRecords":[${logRecord('DECOY')}]}`,
          // The scope after the records: still the audit scope.
          `{"logRecords":[${logRecord('real-3')}],"scope":{"name":"tooltrail.audit"}}`,
          `{"logRecords":[${logRecord('DECOY')}],"scope":{"name":"app"}}`,
        ].join(','),
      ),
    ]);
    expect(events).toEqual([{ text: 'real-1' }, { text: 'real-2' }, { text: 'real-3' }]);
  });

  it.each([
    [
      'duplicate resourceLogs (the last wins)',
      `{"resourceLogs":[{"scopeLogs":[${audit(logRecord('DECOY'))}]}],"resourceLogs":[]}`,
    ],
    ['duplicate stringValue', otlp(audit('{"body":{"stringValue":"DECOY","stringValue":"last"}}'))],
    ['duplicate body', otlp(audit('{"body":{"stringValue":"DECOY"},"body":{"stringValue":"last"}}'))],
    [
      'duplicate scope',
      otlp(`{"scope":{"name":"tooltrail.audit"},"logRecords":[${logRecord('x')}],"scope":{"name":"app"}}`),
    ],
    ['duplicate name', otlp(audit(logRecord('x'), '{"name":"app","name":"tooltrail.audit"}'))],
    [
      'duplicate logRecords',
      otlp(
        `{"scope":{"name":"tooltrail.audit"},"logRecords":[${logRecord('DECOY')}],"logRecords":[${logRecord('last')}]}`,
      ),
    ],
    [
      'duplicate scopeLogs',
      `{"resourceLogs":[{"scopeLogs":[${audit(logRecord('DECOY'))}],"scopeLogs":[${audit(logRecord('last'))}]}]}`,
    ],
    ['escaped key resourceLogs', `{"resource\\u004cogs":[{"scopeLogs":[${audit(logRecord('x'))}]}]}`],
    ['escaped key stringValue', otlp(audit('{"body":{"string\\u0056alue":"escaped key"}}'))],
    ['escaped scope name', otlp(audit(logRecord('x'), '{"name":"tooltrail\\u002eaudit"}'))],
    ['a body without stringValue', otlp(audit(`${logRecord('x')},{"body":{"intValue":"5"}},{}`))],
    ['a null body and a string body', otlp(audit('{"body":null},{"body":"flat"}'))],
    ['a non-string stringValue', otlp(audit('{"body":{"stringValue":5}}'))],
    ['scopeLogs null, resource without scopeLogs', '{"resourceLogs":[{"scopeLogs":null},{}]}'],
    [
      'logRecords null, scope null, scope a string',
      otlp(
        '{"scope":{"name":"tooltrail.audit"},"logRecords":null},{"scope":null},{"scope":"tooltrail.audit"}',
      ),
    ],
    ['a scope name that is not a string', otlp(audit(logRecord('x'), '{"name":["tooltrail.audit"]}'))],
    ['resourceLogs an object', '{"resourceLogs":{"scopeLogs":[]}}'],
    ['no resourceLogs', '{"resource_logs":[]}'],
    ['a top-level array', `[${otlp(audit(logRecord('x')))}]`],
    ['scopeLogs a string', '{"resourceLogs":[{"scopeLogs":"abc"}]}'],
    ['a null resource', '{"resourceLogs":[null]}'],
    ['a null log record', otlp(audit('null'))],
    [
      '__proto__ keys',
      `{"__proto__":{"resourceLogs":5},"resourceLogs":[{"__proto__":[],"scopeLogs":[${audit(logRecord('x', '"__proto__":{},'))}]}]}`,
    ],
    [
      'whitespace everywhere',
      ` \t{ "resourceLogs" : [ { "scopeLogs" : [ { "scope" : { "name" : "tooltrail.audit" } , "logRecords" : [ { "body" : { "stringValue" : "spaced" } } ] } ] } ] } \t`,
    ],
    ['trailing garbage', `${otlp(audit(logRecord('x')))}x`],
    ['two objects', `${otlp(audit(logRecord('x')))}${otlp(audit(logRecord('y')))}`],
    ['a truncated line', otlp(audit(logRecord('x'))).slice(0, -3)],
    ['a raw tab in a body', otlp(audit('{"body":{"stringValue":"tab\there"}}'))],
    ['a raw control character in a key', otlp(audit(logRecord('x', '"k\u0001":1,')))],
    ['a bad escape', otlp(audit('{"body":{"stringValue":"bad \\x escape"}}'))],
    ['a short unicode escape', otlp(audit('{"body":{"stringValue":"short \\u12"}}'))],
    [
      'numbers',
      otlp(audit(logRecord('x', '"n":[0,-0,1.5,-2e10,3E+2,4e-1,1234567890123456789012345678901234567890],'))),
    ],
    ['a leading zero', otlp(audit(logRecord('x', '"n":01,')))],
    ['a bare minus', otlp(audit(logRecord('x', '"n":-,')))],
    ['a trailing dot', otlp(audit(logRecord('x', '"n":1.,')))],
    ['literals', otlp(audit(logRecord('x', '"t":true,"f":false,"z":null,')))],
    ['a bad literal', otlp(audit(logRecord('x', '"t":tru,')))],
    ['a trailing comma', otlp(audit(`${logRecord('x')},`))],
    ['deep nesting', otlp(audit(logRecord('x', `"deep":${'['.repeat(5000)}${']'.repeat(5000)},`)))],
    ['a whitespace-only line', ' \t '],
    ['a byte order mark', `\ufeff${otlp(audit(logRecord('x')))}`],
    ['not JSON at all', 'this line is not JSON {'],
  ])('parses the line as before when it is unusual: %s', async (_name, line) => {
    await expectSameEvents([line, otlp(audit(logRecord('after')))]);
  });

  it('parses the line as before when a body holds invalid UTF-8 (decoding replaces it)', async () => {
    const [before, after] = otlp(audit(logRecord('BAD'))).split('BAD') as [string, string];
    const invalid = [[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98]];
    const lines = invalid.map((bytes) =>
      Buffer.concat([Buffer.from(before), Buffer.from([0x62, ...bytes, 0x63]), Buffer.from(after)]),
    );
    const events = await expectSameEvents(lines);
    // Each line's body, and a report that the line is not UTF-8 (the collector writes none).
    expect(events.filter((event) => 'text' in event)).toHaveLength(invalid.length);
    expect(events.filter((event) => 'malformed' in event)).toHaveLength(invalid.length);
  });

  it('ends lines the same way (CRLF, empty lines) and reports the same places', async () => {
    await expectSameEvents(['', otlp(audit(logRecord('a'))), 'not json', '', otlp(audit('{}'))], '\r\n');
  });

  it('gives the same as iterating for thousands of randomly mutated OTLP lines', async () => {
    const next = random(11);
    const base = otlp(
      [
        `{"scope":{"name":"app"},"logRecords":[${logRecord('{"app":1}')}]}`,
        audit(
          [
            logRecord(
              RECORD,
              '"timeUnixNano":"1764900000000000000","attributes":[{"key":"tooltrail.chain","value":{"stringValue":"c1"}}],',
            ),
            logRecord('{"a":"é\\"\\\\ \\n 😀","n":[1,2.5,-3e2,true,null]}'),
            logRecord('tail'),
          ].join(','),
        ),
      ].join(','),
    );
    const pieces = [
      '"',
      '\\',
      '\\u',
      '\\ud800',
      '\\udc00',
      '\\ud83d\\ude00',
      '\\"',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      ' ',
      '\t',
      'null',
      '0',
      '-',
      'e',
      '.',
      'é',
      '\u0001',
      '"stringValue":"x",',
      '"body":{},',
      '"scope":{"name":"tooltrail.audit"},',
      '"resourceLogs":[],',
      '"logRecords":[],',
      '"scopeLogs":[],',
    ];
    const lines: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      let line = Buffer.from(base);
      const mutations = 1 + Math.floor(next() * 3);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(next() * line.length);
        const r = next();
        if (r < 0.3)
          line = Buffer.concat([line.subarray(0, at), line.subarray(at + 1 + Math.floor(next() * 8))]);
        else if (r < 0.85) {
          const piece = Buffer.from(pieces[Math.floor(next() * pieces.length)] as string);
          line = Buffer.concat([line.subarray(0, at), piece, line.subarray(at)]);
        } else {
          line = Buffer.from(line);
          line[at] = next() < 0.5 ? 0xff : Math.floor(next() * 0x7e) + 1;
          if (line[at] === 0x0a || line[at] === 0x0d) line[at] = 0x20;
        }
      }
      lines.push(line);
    }
    // Both paths are exercised: many mutated lines are taken by the byte scan, many are parsed (among them every
    // line with an invalid byte, in a body or not: the parse path reports it).
    const scanned = lines.filter((line) => scanAuditBodies(line)).length;
    expect(scanned).toBeGreaterThan(400);
    expect(scanned).toBeLessThan(2500);
    // In batches of 100 lines per file, so a difference points to a few lines.
    let taken = 0;
    for (let i = 0; i < lines.length; i += 100) {
      const events = await expectSameEvents(lines.slice(i, i + 100));
      taken += events.filter((event) => 'text' in event).length;
    }
    // Enough of the mutated lines still hold bodies for the comparison to mean something.
    expect(taken).toBeGreaterThan(1000);
  });
});

describe('verify against an archive witness read from its bytes', () => {
  let trail: ReturnType<typeof demoTrail>;
  let witnessDir: string;

  beforeAll(() => {
    trail = demoTrail('tooltrail-archive-witness-');
    witnessDir = join(dir, 'witnesses');
    mkdirSync(witnessDir);
  });

  /** The trail's records as archive lines of 4 audit log records each, after `edit`. */
  function witnessArchive(name: string, edit: (lines: string[]) => string[]): string {
    const lines = edit([...trail.lines]);
    const otlpLines: string[] = [];
    for (let i = 0; i < lines.length; i += 4) {
      otlpLines.push(
        otlp(
          audit(
            lines
              .slice(i, i + 4)
              .map((line) => logRecord(line))
              .join(','),
          ),
        ),
      );
    }
    const file = join(witnessDir, `${name}.jsonl`);
    writeFileSync(file, `${otlpLines.join('\n')}\n`);
    return file;
  }

  const reportOf = async (witness: AsyncIterable<string>) =>
    verifyTrail(trail.dir, { publicKeys: [readFileSync(trail.publicKey, 'utf8')], witness });

  /** The same report whether the archive is read from its bytes or iterated; returns it. */
  async function sameVerdict(file: string) {
    const { input } = new ArchiveSource(file).verifiable(() => {});
    const fromBytes = await reportOf(input);
    const iterated = await reportOf({ [Symbol.asyncIterator]: input[Symbol.asyncIterator] });
    expect(fromBytes).toEqual(iterated);
    return fromBytes;
  }

  const toolCall = (lines: string[]) =>
    lines.findIndex((line, i) => i > 2 && line.includes('"type":"tool_call"'));

  it('an archive of every record: intact, every record witnessed', async () => {
    const report = await sameVerdict(witnessArchive('genuine', (lines) => lines));
    expect(report.ok).toBe(true);
    expect(report.witness?.witnessed).toBe(trail.lines.length);
  });

  it('a record altered in the witness: a fork', async () => {
    const report = await sameVerdict(
      witnessArchive('altered', (lines) => {
        const at = toolCall(lines);
        const record = JSON.parse(lines[at] as string);
        record.hash = record.hash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
        lines[at] = JSON.stringify(record);
        return lines;
      }),
    );
    expect(report.problems.map((problem) => problem.kind)).toContain('fork');
  });

  it('a record missing from the witness: one trail record not witnessed (a hole)', async () => {
    const report = await sameVerdict(
      witnessArchive('missing', (lines) => lines.filter((_, i) => i !== toolCall(lines))),
    );
    expect(report.witness?.unwitnessed).toBe(1);
    expect(report.witness?.holes).toBe(1);
  });

  it('records added to the witness: rolled back (after the trail) and a missing chain', async () => {
    const report = await sameVerdict(
      witnessArchive('added', (lines) => {
        const last = JSON.parse(lines[lines.length - 1] as string);
        const after = { ...last, seq: last.seq + 1 };
        const otherChain = { ...last, chain: `${last.chain}-other` };
        return [...lines, JSON.stringify(after), JSON.stringify(otherChain)];
      }),
    );
    const kinds = report.problems.map((problem) => problem.kind);
    expect(kinds).toContain('rolled_back');
    expect(kinds).toContain('missing_chain');
  });
});

/** A small deterministic generator: the same sequence every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
