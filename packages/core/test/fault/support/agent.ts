import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./agent-process.mjs', import.meta.url));

export interface AgentConfig {
  dir: string;
  endpoint?: string;
  from: number;
  to: number;
  /** Every n-th call is a strict tool call (0: none). */
  strictEvery: number;
  maxQueue?: number;
  exitHooks?: boolean;
  /** run: shut down at the end; hang: wait for a signal; natural: just end (the exit hooks flush). */
  mode?: 'run' | 'hang' | 'natural';
  /** Install the application's own SIGTERM handler (exits with code 7). */
  userSignalHandler?: boolean;
}

/** A child agent process (see agent-process.mjs) and what it reported on stdout. */
export interface Agent {
  child: ChildProcess;
  chain: Promise<string>;
  /** Call indexes whose result reached the caller. */
  returned: number[];
  /** Strict call indexes refused with AuditUnavailableError. */
  refused: number[];
  stats: Record<string, unknown> | undefined;
  lines: string[];
  stderr: string;
  /** Resolves once at least `count` calls have returned (or the process ended). */
  waitForReturned(count: number): Promise<void>;
  waitForLine(text: string): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startAgent(config: AgentConfig, env: NodeJS.ProcessEnv = {}, shell?: string): Agent {
  const args = [SCRIPT, JSON.stringify(config)];
  const child = shell
    ? spawn('bash', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, ...args], {
        env: { ...process.env, ...env },
      })
    : spawn(process.execPath, args, { env: { ...process.env, ...env } });
  const agent: Agent = {
    child,
    chain: new Promise(() => undefined),
    returned: [],
    refused: [],
    stats: undefined,
    lines: [],
    stderr: '',
    waitForReturned: () => Promise.resolve(),
    waitForLine: () => Promise.resolve(),
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  let resolveChain: (chain: string) => void = () => undefined;
  agent.chain = new Promise((resolve) => {
    resolveChain = resolve;
  });
  const waiters: Array<() => boolean> = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!()) waiters.splice(i, 1);
  };
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    buffered += text;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      agent.lines.push(line);
      if (line.startsWith('chain ')) resolveChain(line.slice(6));
      else if (line.startsWith('done ')) agent.stats = JSON.parse(line.slice(5)) as Record<string, unknown>;
      else if (line.startsWith('refused ')) agent.refused.push(Number(line.slice(8)));
      else if (/^\d+$/.test(line)) agent.returned.push(Number(line));
    }
    check();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    agent.stderr += text;
  });
  let ended = false;
  child.on('exit', () => {
    ended = true;
    check();
  });
  const waitFor = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const test = () => {
        if (!done() && !ended) return false;
        resolve();
        return true;
      };
      if (!test()) waiters.push(test);
    });
  agent.waitForReturned = (count) => waitFor(() => agent.returned.length >= count);
  agent.waitForLine = (text) => waitFor(() => agent.lines.includes(text));
  return agent;
}

/** Parsed records of a trail directory (every chain), in file order. */
export function trailRecords(dir: string): Array<Record<string, unknown> & { chain: string; seq: number }> {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown> & { chain: string; seq: number });
}

/** Raw record lines of a trail directory. */
export function trailLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n'))
    .filter((line) => line.length > 0);
}
