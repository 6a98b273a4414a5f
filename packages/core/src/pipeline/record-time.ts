/** Milliseconds rounded to the microsecond, as records store durations. */
export function roundMillis(millis: number): number {
  return Math.round(millis * 1000) / 1000;
}

/** RFC 3339 time of a start time; a bad clock value falls back to now rather than failing the record. */
export function isoTime(millis: number): string {
  // Calls come many per millisecond: the last formatted time is reused.
  if (millis === lastIsoMillis) return lastIso;
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return new Date().toISOString();
  lastIso = date.toISOString();
  lastIsoMillis = millis;
  return lastIso;
}
let lastIsoMillis = Number.NaN;
let lastIso = '';
