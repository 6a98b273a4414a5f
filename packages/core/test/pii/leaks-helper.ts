import { readings } from './leaks.js';

/** Whether `needle` is readable in `text` in any decoded form (see `readings`). */
export function leaks(text: string, needle: string): boolean {
  const lower = needle.toLowerCase();
  return readings(text).some((reading) => reading.includes(lower));
}
