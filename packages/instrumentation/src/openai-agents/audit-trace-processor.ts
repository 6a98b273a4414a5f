import { trace } from '@opentelemetry/api';
import type { AuditTrigger } from '@tooltrail/core';
import { getAuditContext } from '@tooltrail/core';
import { activeAuditor } from '@tooltrail/core/internal';

/** The parts of an Agents SDK trace this processor reads. */
interface AgentsTraceLike {
  traceId?: string;
  groupId?: string | null;
}

/** The parts of an Agents SDK span this processor reads. */
export interface AgentsSpanLike {
  traceId?: string;
  spanId?: string;
  parentId?: string | null;
  startedAt?: string | null;
  endedAt?: string | null;
  error?: { message?: string; data?: Record<string, unknown> } | null;
  spanData?: {
    type?: string;
    name?: string;
    input?: unknown;
    output?: unknown;
    turn?: number;
    model?: string;
    _response?: { model?: string };
  };
}

/** Bounds the bookkeeping of traces and turns whose end never arrives. */
const MAX_TRACKED = 10_000;

/** A function tool that failed, as the Agents SDK reported it on its span. */
export class AgentsToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/**
 * An Agents SDK `TracingProcessor` that records every function tool span as an audit record the moment the span
 * ends — synchronously, with no queue, so nothing is dropped however many calls a run makes (the SDK's default
 * batch processor drops spans past its queue size). Conversation = the trace's `groupId`, turn = the enclosing
 * turn span, model = the last generation/response span of the trace.
 */
export class AuditTraceProcessor {
  private readonly _traces = new Map<string, { groupId?: string; model?: string }>();
  private readonly _turns = new Map<string, number>();
  /** Function spans whose call the tool wrapper audited (with its own OTel span): not recorded again here. */
  private readonly _claimed = new Map<string, true>();
  private _paused = false;

  /** Whether recording is paused (`disable()`). */
  get paused(): boolean {
    return this._paused;
  }

  /**
   * What this processor knows about the function span `span` (conversation = the trace's group, turn, model,
   * trigger), and a claim on it: the span's end then writes no record (the caller records the call).
   */
  claim(span: AgentsSpanLike | null | undefined): {
    context: { conversationId?: string; turn?: number; model?: string };
    trigger: AuditTrigger | undefined;
  } {
    if (typeof span?.spanId === 'string') setBounded(this._claimed, span.spanId, true);
    const traceState = typeof span?.traceId === 'string' ? this._traces.get(span.traceId) : undefined;
    const turn = typeof span?.parentId === 'string' ? this._turns.get(span.parentId) : undefined;
    return {
      context: {
        ...(traceState?.groupId ? { conversationId: traceState.groupId } : {}),
        ...(turn !== undefined ? { turn } : {}),
        ...(traceState?.model ? { model: traceState.model } : {}),
      },
      trigger: turn !== undefined && turn > 1 ? 'follow_up' : undefined,
    };
  }

  /** Stops recording (the SDK cannot remove a processor). */
  pause(): void {
    this._paused = true;
  }

  resume(): void {
    this._paused = false;
  }

  async onTraceStart(agentsTrace: AgentsTraceLike): Promise<void> {
    if (typeof agentsTrace?.traceId !== 'string') return;
    const groupId = typeof agentsTrace.groupId === 'string' ? agentsTrace.groupId : undefined;
    setBounded(this._traces, agentsTrace.traceId, { groupId });
  }

  async onTraceEnd(agentsTrace: AgentsTraceLike): Promise<void> {
    if (typeof agentsTrace?.traceId === 'string') this._traces.delete(agentsTrace.traceId);
  }

  async onSpanStart(span: AgentsSpanLike): Promise<void> {
    const data = span?.spanData;
    if (data?.type === 'turn' && typeof span.spanId === 'string' && typeof data.turn === 'number')
      setBounded(this._turns, span.spanId, data.turn);
  }

  async onSpanEnd(span: AgentsSpanLike): Promise<void> {
    try {
      this._onSpanEnd(span);
    } catch {
      // Telemetry never throws into the agent.
    }
  }

  async shutdown(): Promise<void> {
    this._traces.clear();
    this._turns.clear();
  }

  async forceFlush(): Promise<void> {
    // Records are written when the span ends: nothing is buffered here.
  }

  private _onSpanEnd(span: AgentsSpanLike): void {
    const data = span?.spanData;
    if (!data) return;
    if (data.type === 'turn') {
      if (typeof span.spanId === 'string') this._turns.delete(span.spanId);
      return;
    }
    const traceState = typeof span.traceId === 'string' ? this._traces.get(span.traceId) : undefined;
    if (data.type === 'generation' || data.type === 'response') {
      const model = data.model ?? data._response?.model;
      if (traceState && typeof model === 'string') traceState.model = model;
      return;
    }
    if (data.type !== 'function' || this._paused) return;
    if (typeof span.spanId === 'string' && this._claimed.delete(span.spanId)) return;
    const auditor = activeAuditor();
    if (!auditor) return;
    const turn = typeof span.parentId === 'string' ? this._turns.get(span.parentId) : undefined;
    const startTimeMs = Date.parse(span.startedAt ?? '') || Date.now();
    const endTimeMs = Date.parse(span.endedAt ?? '') || Date.now();
    const otelSpan = trace.getActiveSpan()?.spanContext();
    const valid = otelSpan !== undefined && trace.isSpanContextValid(otelSpan);
    const active = getAuditContext();
    const trigger: AuditTrigger | null = turn !== undefined && turn > 1 ? 'follow_up' : null;
    auditor.record({
      tool: typeof data.name === 'string' && data.name !== '' ? data.name : 'unknown',
      callId: null,
      args: parseJson(data.input),
      outcome: span.error
        ? { ok: false, error: new AgentsToolError(errorMessage(span.error)) }
        : { ok: true, result: parseJson(data.output) },
      durationMs: Math.max(0, endTimeMs - startTimeMs),
      startTimeMs,
      traceId: valid ? otelSpan.traceId : undefined,
      spanId: valid ? otelSpan.spanId : undefined,
      context: {
        ...active,
        ...(traceState?.groupId ? { conversationId: traceState.groupId } : {}),
        ...(turn !== undefined ? { turn } : {}),
        ...(traceState?.model ? { model: traceState.model } : {}),
      },
      trigger,
      extra: { agents_trace_id: span.traceId ?? null, agents_span_id: span.spanId ?? null },
    });
  }
}

/** The message a failed function span reports (the tool's own error when the SDK gives it). */
export function errorMessage(error: { message?: string; data?: Record<string, unknown> }): string {
  const detail = error.data?.error;
  if (typeof detail === 'string' && detail !== '') return detail;
  return typeof error.message === 'string' ? error.message : 'tool failed';
}

/** Tool input/output travel as strings on the span; store JSON as structure so redaction sees the keys. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

function setBounded<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > MAX_TRACKED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
