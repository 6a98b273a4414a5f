// What `pnpm bench` prints: a table of rows, then one JSON object as the last line.

/** The JSON line's keys, in their order, all `null` until a scenario fills them. */
export function emptyResult() {
  return {
    bare_otel_us_per_call: null,
    audited_us_per_call: null,
    overhead_ratio: null,
    floor_us_per_call: null,
    io_bare_us_per_call: null,
    io_audited_us_per_call: null,
    io_overhead_ratio: null,
    redact_mb_per_s: null,
    verify_records_per_s: null,
    verify_vs_sha256sum: null,
    rss_growth_mb: null,
    rss_peak_growth_mb: null,
    rss_growth_tight_loop_mb: null,
    verify_peak_rss_mb: null,
    witness_records_per_s: null,
    witness_peak_rss_mb: null,
    floor_ratio: null,
    vs_pino_chain: null,
    vs_langfuse: null,
    io_added_ratio: null,
    verify_vs_openssl: null,
    strict_concurrent_ratio: null,
    peers_us_per_call: null,
    strict_us_per_call: null,
    io_floor_us_per_call: null,
    io_floor_added_ratio: null,
    io_cold_ratio: null,
    vs_peers: null,
  };
}

/** Prints the header, the `[name, value, note]` rows aligned, and `out` as the last line. */
export function printReport(rows, out, quick) {
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => String(row[1]).length));
  console.log(`tooltrail bench${quick ? ' (quick)' : ''}: node ${process.version}`);
  for (const [name, value, note] of rows) {
    console.log(`${name.padEnd(width)}  ${String(value).padStart(valueWidth)}  ${note}`);
  }
  console.log(JSON.stringify(out));
}
