/**
 * A tiny assembler for the subset of WebAssembly text the verifier's line scanner is written in
 * (scan-line-wasm-source.ts), so the module's source stays readable text in the repository and needs no build
 * tool. One instruction per line, flat (not folded), `;;` comments:
 *
 *   memory <pages>                      one memory, exported as "memory"
 *   global $name i32                    a mutable i32 global, 0 at start
 *   func $name $p1 $p2 ... -> i32|i64|none   (every parameter is an i32)
 *     local $name i32|i64|v128
 *     <instructions>                    block/loop/if take a `$label`; br/br_if name one
 *   endfunc
 *   export $name                        exports the function under its name without the `$`
 *
 * Memory instructions take an optional `offset=N` (alignment is always 0, a valid hint for any access).
 * Anything else is an error naming the line.
 */

type Immediate = 'none' | 'local' | 'global' | 'label' | 'func' | 'i32' | 'i64' | 'mem' | 'block';

/** Opcode bytes and immediate kind of each instruction the assembler knows. */
const OPS: Record<string, [number[], Immediate]> = {
  unreachable: [[0x00], 'none'],
  block: [[0x02], 'block'],
  loop: [[0x03], 'block'],
  if: [[0x04], 'block'],
  else: [[0x05], 'none'],
  end: [[0x0b], 'none'],
  br: [[0x0c], 'label'],
  br_if: [[0x0d], 'label'],
  return: [[0x0f], 'none'],
  call: [[0x10], 'func'],
  drop: [[0x1a], 'none'],
  select: [[0x1b], 'none'],
  'local.get': [[0x20], 'local'],
  'local.set': [[0x21], 'local'],
  'local.tee': [[0x22], 'local'],
  'global.get': [[0x23], 'global'],
  'global.set': [[0x24], 'global'],
  'i32.load': [[0x28], 'mem'],
  'i32.load8_u': [[0x2d], 'mem'],
  'i32.store': [[0x36], 'mem'],
  'f64.load': [[0x2b], 'mem'],
  'i64.load': [[0x29], 'mem'],
  'i64.store': [[0x37], 'mem'],
  'f64.store': [[0x39], 'mem'],
  'i32.store8': [[0x3a], 'mem'],
  'i32.const': [[0x41], 'i32'],
  'i64.const': [[0x42], 'i64'],
  'i32.eqz': [[0x45], 'none'],
  'i32.eq': [[0x46], 'none'],
  'i32.ne': [[0x47], 'none'],
  'i32.lt_s': [[0x48], 'none'],
  'i32.lt_u': [[0x49], 'none'],
  'i32.gt_s': [[0x4a], 'none'],
  'i32.gt_u': [[0x4b], 'none'],
  'i32.le_u': [[0x4d], 'none'],
  'i32.ge_s': [[0x4e], 'none'],
  'i32.ge_u': [[0x4f], 'none'],
  'i64.eq': [[0x51], 'none'],
  'i64.ne': [[0x52], 'none'],
  'i64.lt_s': [[0x53], 'none'],
  'i64.gt_u': [[0x56], 'none'],
  'i32.ctz': [[0x68], 'none'],
  'i32.add': [[0x6a], 'none'],
  'i32.sub': [[0x6b], 'none'],
  'i32.mul': [[0x6c], 'none'],
  'i32.and': [[0x71], 'none'],
  'i32.or': [[0x72], 'none'],
  'i64.add': [[0x7c], 'none'],
  'i64.mul': [[0x7e], 'none'],
  'i64.extend_i32_u': [[0xad], 'none'],
  'i64.trunc_f64_u': [[0xb1], 'none'],
  'f64.convert_i64_s': [[0xb9], 'none'],
  'memory.copy': [[0xfc, 0x0a, 0x00, 0x00], 'none'],
  'v128.load': [[0xfd, 0x00], 'mem'],
  'i8x16.splat': [[0xfd, 0x0f], 'none'],
  'i8x16.eq': [[0xfd, 0x23], 'none'],
  'i8x16.gt_u': [[0xfd, 0x28], 'none'],
  'v128.and': [[0xfd, 0x4e], 'none'],
  'v128.or': [[0xfd, 0x50], 'none'],
  'i8x16.sub': [[0xfd, 0x71], 'none'],
  'i8x16.bitmask': [[0xfd, 0x64], 'none'],
};

const TYPES: Record<string, number> = { i32: 0x7f, i64: 0x7e, f64: 0x7c, v128: 0x7b };

interface Func {
  name: string;
  params: string[];
  result: string;
  locals: Array<[string, string]>;
  /** Instruction lines with their line numbers, resolved once every function is known. */
  body: Array<[number, string[]]>;
}

/** The binary module for `source`; throws on anything outside the subset. */
export function assembleWasm(source: string): Uint8Array {
  const funcs: Func[] = [];
  const globals: string[] = [];
  const exports: string[] = [];
  let pages = -1;
  let current: Func | undefined;
  const lines = source.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const words = (lines[n] as string).replace(/;;.*/, '').trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const fail = (why: string): never => {
      throw new Error(`wasm assembler, line ${n + 1}: ${why}: ${lines[n]}`);
    };
    const [head, ...rest] = words as [string, ...string[]];
    if (current) {
      if (head === 'endfunc') {
        funcs.push(current);
        current = undefined;
      } else if (head === 'local') {
        if (rest.length !== 2 || !TYPES[rest[1] as string]) fail('expected `local $name type`');
        current.locals.push([rest[0] as string, rest[1] as string]);
      } else {
        if (!OPS[head]) fail('unknown instruction');
        current.body.push([n, words]);
      }
    } else if (head === 'memory') pages = Number(rest[0]);
    else if (head === 'global') globals.push(rest[0] as string);
    else if (head === 'export') exports.push(rest[0] as string);
    else if (head === 'func') {
      const arrow = rest.indexOf('->');
      if (arrow < 1 || arrow !== rest.length - 2) fail('expected `func $name $params... -> result`');
      current = {
        name: rest[0] as string,
        params: rest.slice(1, arrow),
        result: rest[arrow + 1] as string,
        locals: [],
        body: [],
      };
    } else fail('unknown declaration');
  }
  if (current || pages < 1) throw new Error('wasm assembler: an unterminated function or no memory');

  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  const globalIndex = new Map(globals.map((g, i) => [g, i]));
  const types = funcs.map((f) => [
    0x60,
    ...u32(f.params.length),
    ...f.params.map(() => TYPES.i32 as number),
    ...(f.result === 'none' ? [0] : [1, TYPES[f.result] as number]),
  ]);
  const codes = funcs.map((f) => {
    const localIndex = new Map([...f.params, ...f.locals.map(([name]) => name)].map((name, i) => [name, i]));
    const out: number[] = [...u32(f.locals.length)];
    for (const [, type] of f.locals) out.push(1, TYPES[type] as number);
    const labels: string[] = [];
    for (const [n, [op, ...args]] of f.body) {
      const fail = (why: string): never => {
        throw new Error(`wasm assembler, line ${n + 1}: ${why}: ${lines[n]}`);
      };
      const [bytes, kind] = OPS[op as string] as [number[], Immediate];
      out.push(...bytes);
      const arg = args[0] as string;
      const index = (map: Map<string, number>): number => map.get(arg) ?? fail(`unknown name ${arg}`);
      switch (kind) {
        case 'none':
          if (op === 'end' && labels.pop() === undefined) fail('`end` without a block');
          break;
        case 'block':
          labels.push(arg ?? '');
          out.push(0x40);
          break;
        case 'label': {
          const depth = labels.lastIndexOf(arg);
          if (depth < 0) fail(`no enclosing block ${arg}`);
          out.push(...u32(labels.length - 1 - depth));
          break;
        }
        case 'local':
          out.push(...u32(index(localIndex)));
          break;
        case 'global':
          out.push(...u32(index(globalIndex)));
          break;
        case 'func':
          out.push(...u32(index(funcIndex)));
          break;
        case 'i32':
        case 'i64':
          out.push(...s64(BigInt(arg)));
          break;
        case 'mem':
          out.push(0, ...u32(arg?.startsWith('offset=') ? Number(arg.slice(7)) : 0));
          break;
      }
    }
    if (labels.length > 0) throw new Error(`wasm assembler: unclosed block in ${f.name}`);
    out.push(0x0b);
    return [...u32(out.length), ...out];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(funcs.map((_, i) => u32(i)))),
    ...section(5, vector([[0x00, ...u32(pages)]])),
    ...section(6, vector(globals.map(() => [TYPES.i32 as number, 0x01, 0x41, 0x00, 0x0b]))),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0x00],
        ...exports.map((e) => {
          const i = funcIndex.get(e);
          if (i === undefined) throw new Error(`wasm assembler: export of unknown ${e}`);
          return [...name(e.slice(1)), 0x00, ...u32(i)];
        }),
      ]),
    ),
    ...section(10, vector(codes)),
  ]);
}

function u32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function s64(value: bigint): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = Number(value & 0x7fn);
    value >>= 7n;
    if ((value === 0n && (byte & 0x40) === 0) || (value === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vector(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...u32(body.length), ...body];
}

function name(text: string): number[] {
  return [...u32(text.length), ...Buffer.from(text, 'latin1')];
}
