import fc from 'fast-check';
import { sealRecord } from '../../src/chain/record-hash.js';
import { GENESIS_HASH } from '../../src/record/audit-record.js';

// Generators shared by the verifier's fast-path fuzz tests: sealed tool_call lines with arbitrary JSON content,
// and hostile edits of their bytes.

const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary', maxLength: 12 }).map((text) => text.toWellFormed()),
    fc.string({ unit: 'grapheme-composite', maxLength: 6 }),
    fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u2028', 'é', '𝄞', '"seq":1', ',"hash":"'),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('seq', 'hash', 'prev', 'chain', 'type', 'v')),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

/** A sealed tool_call record (canonical line, correct hash) with arbitrary JSON in its free fields. */
export const sealedLine = fc
  .record({
    chain: fc.oneof(fc.constant('20261127T000000Z-abcd1234'), fc.string({ minLength: 1, maxLength: 12 })),
    seq: fc.oneof(fc.nat({ max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
    prev: fc.oneof(fc.constant(GENESIS_HASH), hex64),
    args: json,
    result: json,
    extra: fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 3 }),
    intent: fc.option(fc.nat({ max: 1000 }), { nil: undefined }),
  })
  .map(({ chain, seq, prev, args, result, extra, intent }) => {
    const record: Record<string, unknown> = {
      ...extra,
      v: 1,
      type: 'tool_call',
      chain,
      seq,
      prev,
      ts: '2026-11-27T00:00:00.000Z',
      tool: 'lookup',
      args,
      result,
    };
    delete record.hash;
    if (intent !== undefined) record.intent_seq = intent;
    return Buffer.from(sealRecord(record).line);
  });

const tricky = [
  ' ',
  '\t',
  '\\',
  '"',
  '\u0000',
  '\r',
  '\\u0073',
  '\\ud800',
  ',"seq":1',
  ',"hash":"',
  '{',
  '}',
  '[',
  ']',
  ':',
  ',',
  '1e5',
  '-0',
  '01',
  '.5',
  'tru',
  'nul',
  'é',
].map((text) => Buffer.from(text));

/** Members appended to a line: duplicates and escaped names of chain fields, and almost-JSON values. */
const members = [
  ',"se\\u0071":7',
  ',"seq":7',
  ',"\\u0076":2',
  ',"typ\\u0065":"intent"',
  ',"h\\u0061sh":"0000000000000000000000000000000000000000000000000000000000000000"',
  ',"intent_seq":3',
  ',"intent_seq":1.5',
  ',"intent_seq":"3"',
  ',"intent_seq":03',
  ',"x":01',
  ',"x":-01',
  ',"x":-',
  ',"x":1.',
  ',"x":.1',
  ',"x":1e',
  ',"x":1e+',
  ',"x":+1',
  ',"x":[1,]',
  ',"x":[,1]',
  ',"x":{"a":1,}',
  ',"x":{"a"}',
  ',"x":{1:2}',
  ',"x":tru',
  ',"x":nul',
  ',"x":True',
  ',"x":"\\x"',
  ',"x":"\\u12"',
  ',"x":"\\u12g4"',
  ',"x":"a\tb"',
  ',"x":[[[[]]]]',
  ',"x":"\\ud800"',
  ',"x":1E5',
  ',"x":-0.0e-0',
].map((text) => Buffer.from(text));

/** One hostile edit of a line's bytes. */
export const mutation = fc.oneof(
  fc.record({ kind: fc.constant('member' as const), text: fc.constantFrom(...members) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...tricky) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('raw' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 3 }),
  }),
  // The hash member moved to another member boundary: the hash (over the line without it) still matches.
  fc.record({ kind: fc.constant('move-hash' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('rename' as const),
    from: fc.constantFrom('"seq"', '"hash"', '"prev"', '"chain"', '"type"', '"v"', '"intent_seq"'),
    to: fc.constantFrom('"se\\u0071"', '"seq"', '"hash"', '"v"', '"type"', '"intent_seq"', '"Seq"'),
  }),
);

export function mutate(line: Buffer, edits: Mutation[]): Buffer {
  let bytes = line;
  for (const edit of edits) {
    const at = 'at' in edit ? edit.at % (bytes.length + 1) : 0;
    switch (edit.kind) {
      case 'flip': {
        const copy = Buffer.from(bytes);
        if (copy.length > 0) copy[Math.min(at, copy.length - 1)] = edit.byte;
        bytes = copy;
        break;
      }
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), edit.text, bytes.subarray(at)]);
        break;
      case 'raw':
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.bytes), bytes.subarray(at)]);
        break;
      case 'cut':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
        break;
      case 'member': {
        // Before the closing brace, where a member can go (or at the end, if the line has none).
        const brace = bytes.lastIndexOf(125);
        const at2 = brace === -1 ? bytes.length : brace;
        bytes = Buffer.concat([bytes.subarray(0, at2), edit.text, bytes.subarray(at2)]);
        break;
      }
      case 'rename':
        bytes = Buffer.from(bytes.toString('latin1').replace(edit.from, edit.to), 'latin1');
        break;
      case 'move-hash':
        bytes = moveHashMember(bytes, edit.at);
        break;
    }
  }
  return bytes;
}

/** The line with its `"hash":"…"` member (and one comma beside it) moved before the comma chosen by `at`. */
function moveHashMember(bytes: Buffer, at: number): Buffer {
  const text = bytes.toString('latin1');
  const found = /"hash":"[0-9a-f]{64}"/.exec(text);
  if (!found) return bytes;
  const member = found[0];
  const before = found.index;
  const after = before + member.length;
  const rest =
    text[before - 1] === ','
      ? text.slice(0, before - 1) + text.slice(after)
      : text[after] === ','
        ? text.slice(0, before) + text.slice(after + 1)
        : text.slice(0, before) + text.slice(after);
  const commas = [...rest.matchAll(/,/g)].map((match) => match.index);
  if (commas.length === 0) return bytes;
  const place = commas[at % commas.length] as number;
  return Buffer.from(`${rest.slice(0, place)},${member}${rest.slice(place)}`, 'latin1');
}

export type Mutation =
  | { kind: 'move-hash'; at: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'insert'; at: number; text: Buffer }
  | { kind: 'cut'; at: number; length: number }
  | { kind: 'raw'; at: number; bytes: Uint8Array }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'member'; text: Buffer };
