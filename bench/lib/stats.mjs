// Small numeric helpers of the bench's figures.

/** The median of `values` (not sorted in place). */
export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Bytes to MiB. */
export const mb = (bytes) => bytes / (1024 * 1024);

/** `value` rounded to `digits` decimals, as a number (`null` stays `null`). */
export const round = (value, digits = 2) => (value === null ? null : Number(value.toFixed(digits)));
