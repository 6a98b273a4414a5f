import { describe, expect, it } from 'vitest';
import { SpanMarks } from '../src/processor/span-marks.js';

describe('SpanMarks', () => {
  it('hands a value back once, per span, also for spans that cannot take a property', () => {
    const marks = new SpanMarks<{ n: number }>();
    const open = {};
    const frozen = Object.freeze({});
    const dropping = new Proxy({}, { set: () => true });
    const values = [{ n: 1 }, { n: 2 }, { n: 3 }];
    marks.set(open, values[0] as { n: number });
    marks.set(frozen, values[1] as { n: number });
    marks.set(dropping, values[2] as { n: number });
    expect(marks.take(open)).toBe(values[0]);
    expect(marks.take(frozen)).toBe(values[1]);
    expect(marks.take(dropping)).toBe(values[2]);
    for (const span of [open, frozen, dropping]) expect(marks.take(span)).toBeUndefined();
    // Another instance's marks are its own.
    const other = new SpanMarks<{ n: number }>();
    marks.set(open, { n: 4 });
    expect(other.take(open)).toBeUndefined();
    expect(marks.take(open)).toEqual({ n: 4 });
  });

  it('leaves no enumerable trace on the span', () => {
    const marks = new SpanMarks<number>();
    const span = { name: 'execute_tool lookup' };
    marks.set(span, 1);
    expect(Object.keys(span)).toEqual(['name']);
    expect(JSON.stringify(span)).toBe('{"name":"execute_tool lookup"}');
  });
});
