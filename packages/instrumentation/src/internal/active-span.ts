import { type Attributes, type Span, trace } from '@opentelemetry/api';

/** The active recording span and its attributes, when the SDK span exposes them (sdk-trace-base spans do). */
export function activeSpanWithAttributes(): { span: Span; attributes: Attributes } | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const attributes = (span as { attributes?: Attributes }).attributes;
  return attributes && typeof attributes === 'object' ? { span, attributes } : undefined;
}
