import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorHandler } from '../src/internal/error-handler.js';
import { LocalTrail } from '../src/sinks/local-trail.js';
import { tempDir } from './support/make-trail.js';

function trail(dir: string, maxFileBytes: number): LocalTrail {
  return new LocalTrail({
    dir,
    chainId: 'c1',
    fsync: 'never',
    fsyncIntervalMillis: 1000,
    maxFileBytes,
    errors: new ErrorHandler(() => {}),
  });
}

/** Every segment of the chain, in order, as one byte string. */
function trailBytes(dir: string): Buffer {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  return Buffer.concat(files.map((name) => readFileSync(join(dir, name))));
}

describe('LocalTrail line encoding', () => {
  it('stores each line as its UTF-8 bytes and a newline: multi-byte text, lines past the reused buffer, rolls', () => {
    const dir = tempDir();
    const lines = [
      '{"seq":0,"note":"plain"}',
      '{"seq":1,"note":"é ü 漢字 🙂"}',
      `{"seq":2,"note":"${'x'.repeat(70_000)}"}`,
      // Shorter than the line before it: no byte of the long line may follow it.
      '{"seq":3}',
      `{"seq":4,"note":"${'ü'.repeat(40_000)}"}`,
      '{"seq":5,"note":"🙂"}',
      // Three bytes per UTF-16 unit, just inside and just past what the reused 64 KiB buffer takes.
      `{"seq":6,"note":"${'漢'.repeat(21_826)}"}`,
      `{"seq":7,"note":"${'漢'.repeat(21_827)}"}`,
      // A lone surrogate is stored as U+FFFD (three bytes), as Buffer.from writes it.
      '{"seq":8,"note":"\ud800 \udfff"}',
    ];
    const local = trail(dir, 140_000);
    for (const line of lines) expect(local.append(line)).toBe(true);
    local.close();
    const expected = Buffer.from(lines.map((line) => `${line}\n`).join(''));
    expect(trailBytes(dir).equals(expected)).toBe(true);
    expect(local.written).toEqual({ records: lines.length, bytes: expected.length });
    // The segment roll decides by bytes, not characters: 80,000 bytes of `ü` do not fit after 70,000, nor 65,500
    // bytes of `漢` after them.
    expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl')).length).toBeGreaterThan(1);
  });
});
