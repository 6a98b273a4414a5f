import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { signedCheckpoint, testSigningKey } from './signed-checkpoint.js';

/**
 * A small agent stand-in that speaks the SDK's data contract over OTLP/HTTP (JSON encoding): one
 * `execute_tool` span and one chained `tooltrail.audit` log record per tool call, a signed genesis checkpoint
 * first and a final one on finish(). Used where a test needs to control failure ratios, volume or record
 * times, which the demo does not offer.
 */

export interface ToolPlan {
  tool: string;
  calls: number;
  /** Every n-th call fails (2 = half of them); 0 = never. */
  failEvery: number;
}

export interface SentCall {
  line: string;
  hash: string;
  seq: number;
  tool: string;
  success: boolean;
}

type Attr = { key: string; value: Record<string, unknown> };
const attr = (key: string, v: string | number | boolean): Attr => ({
  key,
  value:
    typeof v === 'string'
      ? { stringValue: v }
      : typeof v === 'number'
        ? { intValue: String(v) }
        : { boolValue: v },
});

/** PII that must never leave the collector: planted in span attributes and application log bodies only. */
export const SENDER_CANARIES = ['123-45-6789', '4111 1111 1111 1111'];

export class OtlpSender {
  readonly chain = `chain-${randomBytes(4).toString('hex')}`;
  /** Every audit record line sent (checkpoints included), in chain order. */
  readonly lines: string[] = [];
  private _seq = 0;
  private _prev = '0'.repeat(64);
  private readonly _key = testSigningKey();

  constructor(
    private readonly _endpoint: string,
    private readonly _serviceName = 'medical-assistant',
    /** Records and spans dated this long ago: an agent replaying its trail after an outage. */
    private readonly _lateByMillis = 0,
  ) {}

  /** Sends `plan` interleaved, `batchSize` calls per OTLP request; resolves with what was sent. */
  async send(plans: ToolPlan[], batchSize = 10): Promise<SentCall[]> {
    const queue: Array<{ tool: string; fail: boolean }> = [];
    const longest = Math.max(...plans.map((p) => p.calls));
    for (let i = 0; i < longest; i++) {
      for (const plan of plans) {
        if (i < plan.calls)
          queue.push({ tool: plan.tool, fail: plan.failEvery > 0 && (i + 1) % plan.failEvery === 0 });
      }
    }
    const sent: SentCall[] = [];
    for (let i = 0; i < queue.length; i += batchSize) {
      const genesis = this._seq === 0 ? [this._checkpoint(false)] : [];
      const batch = queue.slice(i, i + batchSize).map((call) => this._call(call.tool, call.fail));
      await this._post('/v1/traces', {
        resourceSpans: [
          this._resource({ scopeSpans: [{ scope: { name: 'tooltrail' }, spans: batch.map((b) => b.span) }] }),
        ],
      });
      await this._post('/v1/logs', {
        resourceLogs: [
          this._resource({
            scopeLogs: [
              {
                scope: { name: 'tooltrail.audit', version: '0.1.0' },
                logRecords: [...genesis, ...batch.map((b) => b.log)],
              },
              // An application log carrying PII: the collector's transform processor must mask it.
              {
                scope: { name: 'medical-assistant' },
                logRecords: [
                  { body: { stringValue: `patient ssn ${SENDER_CANARIES[0]}` }, severityNumber: 9 },
                ],
              },
            ],
          }),
        ],
      });
      sent.push(...batch.map((b) => b.sent));
    }
    return sent;
  }

  /** The raw Ed25519 public key (base64) that signs this chain's checkpoints: what a verifier trusts. */
  get publicKey(): string {
    return this._key.publicKeyBase64;
  }

  /** Sends the chain's final checkpoint (what the SDK writes at shutdown). */
  async finish(): Promise<void> {
    const log = this._checkpoint(true);
    await this._post('/v1/logs', {
      resourceLogs: [
        this._resource({
          scopeLogs: [{ scope: { name: 'tooltrail.audit', version: '0.1.0' }, logRecords: [log] }],
        }),
      ],
    });
  }

  private _checkpoint(final: boolean): Record<string, unknown> {
    const now = Date.now() - this._lateByMillis;
    const { line, hash } = signedCheckpoint(this._key, {
      chain: this.chain,
      seq: this._seq,
      prev: this._prev,
      ts: new Date(now).toISOString(),
      final,
    });
    const attributes = [
      attr('tooltrail.record.type', 'checkpoint'),
      attr('tooltrail.chain', this.chain),
      attr('tooltrail.seq', this._seq),
    ];
    this._seq++;
    this._prev = hash;
    this.lines.push(line);
    const nanos = `${BigInt(now) * 1_000_000n}`;
    return {
      timeUnixNano: nanos,
      observedTimeUnixNano: nanos,
      severityNumber: 9,
      severityText: 'INFO',
      eventName: 'tooltrail.audit.checkpoint',
      body: { stringValue: line },
      attributes,
    };
  }

  private _resource(body: Record<string, unknown>): Record<string, unknown> {
    return { resource: { attributes: [attr('service.name', this._serviceName)] }, ...body };
  }

  private async _post(path: string, payload: unknown): Promise<void> {
    const response = await fetch(`${this._endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    if (!response.ok) throw new Error(`OTLP ${path}: HTTP ${response.status} ${await response.text()}`);
  }

  private _call(tool: string, fail: boolean) {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const seq = this._seq++;
    const now = Date.now() - this._lateByMillis;
    const nanos = (millis: number) => `${BigInt(millis) * 1_000_000n}`;
    const callId = `call_${seq}`;
    const record: Record<string, unknown> = {
      v: 1,
      type: 'tool_call',
      chain: this.chain,
      seq,
      prev: this._prev,
      ts: new Date(now).toISOString(),
      trace_id: traceId,
      span_id: spanId,
      tool,
      call_id: callId,
      args: { patient_id: 'P-1', ssn: '[REDACTED]' },
      result: fail ? null : { success: true, size: 42, truncated: false },
      success: !fail,
      error: fail ? { type: 'UpstreamTimeout', message: 'upstream timed out' } : null,
      duration_ms: 12,
      user: 'dr-house',
      role: 'physician',
      conversation: 'conv-1',
      turn: 1,
      model: 'test-model',
      trigger: 'user_request',
      purpose: 'treatment',
      subject: 'patient:P-1',
      retention: 'healthcare',
    };
    const hash = createHash('sha256').update(canonicalJson(record)).digest('hex');
    record.hash = hash;
    this._prev = hash;
    const line = canonicalJson(record);
    this.lines.push(line);
    const spanAttributes = [
      attr('gen_ai.operation.name', 'execute_tool'),
      attr('gen_ai.tool.name', tool),
      attr('gen_ai.tool.call.id', callId),
      attr('gen_ai.tool.type', 'function'),
      // The SDK redacts these; the SSN here proves the collector's redaction processor masks what slips through.
      attr('gen_ai.tool.call.arguments', `{"patient_id":"P-1","note":"ssn ${SENDER_CANARIES[0]}"}`),
      attr('gen_ai.tool.call.result', fail ? '{}' : `{"card":"${SENDER_CANARIES[1]}"}`),
      attr('gen_ai.conversation.id', 'conv-1'),
      attr('user.id', 'dr-house'),
      attr('enduser.id', 'dr-house'),
      attr('tooltrail.trigger', 'user_request'),
      attr('tooltrail.turn', 1),
      attr('tooltrail.role', 'physician'),
      attr('tooltrail.purpose', 'treatment'),
      attr('tooltrail.subject', 'patient:P-1'),
      attr('tooltrail.retention', 'healthcare'),
      attr('tooltrail.emergency', false),
      attr('tooltrail.chain.id', this.chain),
      attr('tooltrail.chain.seq', seq),
      attr('tooltrail.chain.hash', hash),
      ...(fail ? [attr('error.type', 'UpstreamTimeout')] : []),
    ];
    const span = {
      traceId,
      spanId,
      name: `execute_tool ${tool}`,
      kind: 1,
      startTimeUnixNano: nanos(now - 12),
      endTimeUnixNano: nanos(now),
      attributes: spanAttributes,
      status: fail ? { code: 2, message: 'upstream timed out' } : { code: 0 },
      events: fail
        ? [
            {
              name: 'exception',
              timeUnixNano: nanos(now),
              attributes: [attr('exception.type', 'UpstreamTimeout')],
            },
          ]
        : [],
    };
    const log = {
      timeUnixNano: nanos(now),
      observedTimeUnixNano: nanos(now),
      severityNumber: fail ? 13 : 9,
      severityText: fail ? 'WARN' : 'INFO',
      eventName: 'tooltrail.audit.tool_call',
      body: { stringValue: line },
      traceId,
      spanId,
      attributes: [
        attr('tooltrail.record.type', 'tool_call'),
        attr('tooltrail.chain', this.chain),
        attr('tooltrail.seq', seq),
        attr('tooltrail.retention', 'healthcare'),
        attr('gen_ai.tool.name', tool),
        attr('tooltrail.subject', 'patient:P-1'),
        attr('user.id', 'dr-house'),
        attr('gen_ai.conversation.id', 'conv-1'),
      ],
    };
    return { span, log, sent: { line, hash, seq, tool, success: !fail } satisfies SentCall };
  }
}
