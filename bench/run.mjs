#!/usr/bin/env node
// tooltrail benchmarks: `pnpm bench` (builds first) or `node bench/run.mjs [--quick] [--only a,b] [--records N]`.
//
// Every scenario runs in this one process run (the memory and verify scenarios in child processes of it, so
// their RSS is their own; each peer in a child process of its own, with the bare span and auditTool beside it). Timed scenarios warm up first and report the median of several rounds; the bare
// and audited rounds alternate, so both see the same machine state. The last line of output is one JSON object.
// Layout: bench/scenarios/<scenario>.mjs measures one scenario and fills its rows and keys; bench/lib/ holds the
// options, the bench tool and exporters, the timed round, the child-process runner and the report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, option, QUICK, wanted } from './lib/options.mjs';
import { emptyResult, printReport } from './lib/report.mjs';
import { callsScenario } from './scenarios/calls.mjs';
import { ioScenario } from './scenarios/io.mjs';
import { childCalls, memoryScenario, tightLoopScenario } from './scenarios/memory.mjs';
import { childPeer, peersScenario } from './scenarios/peers.mjs';
import { redactScenario } from './scenarios/redact.mjs';
import { strictScenario } from './scenarios/strict.mjs';
import { childVerify, verifyScenario } from './scenarios/verify.mjs';

/** `--child calls|verify|peer`: one child run of the memory, verify or a peer's scenario; prints it as JSON. */
async function child() {
  const mode = option('child');
  const result =
    mode === 'calls'
      ? await childCalls(option('dir'), Number(option('records')), Number(option('yield-every', '0')))
      : mode === 'peer'
        ? await childPeer(option('peer'))
        : await childVerify(option('dir'), option('witness', undefined));
  console.log(JSON.stringify(result));
}

async function main() {
  if (flag('child')) return child();
  const rows = [];
  const out = emptyResult();
  if (wanted('calls')) await callsScenario({ out, rows });
  if (wanted('peers')) await peersScenario({ out, rows });
  if (wanted('io')) await ioScenario({ out, rows });
  if (wanted('strict')) await strictScenario({ out, rows });
  if (wanted('redact')) await redactScenario({ out, rows });
  if (wanted('memory') || wanted('verify')) {
    // The memory run writes the trail the verify run reads.
    const dir = mkdtempSync(join(tmpdir(), 'tooltrail-bench-trail-'));
    try {
      memoryScenario({ out, rows, dir });
      if (wanted('verify')) verifyScenario({ out, rows, dir });
      if (wanted('memory') && !flag('no-tight')) tightLoopScenario({ out, rows });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printReport(rows, out, QUICK);
}

await main();
