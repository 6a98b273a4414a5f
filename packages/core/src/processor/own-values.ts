import type { Attributes, AttributeValue } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_TOOLTRAIL_EMERGENCY,
  ATTR_TOOLTRAIL_TURN,
} from '../semconv/attributes.js';
import { RECORD_ATTRIBUTES } from '../semconv/record-attributes.js';

/** The keys `OwnValues` can hold a value for, in the order of their bits. */
export const OWN_VALUE_KEYS: readonly string[] = [
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_TOOLTRAIL_TURN,
  ATTR_TOOLTRAIL_EMERGENCY,
  RECORD_ATTRIBUTES.args.span,
  RECORD_ATTRIBUTES.result.span,
  ATTR_GEN_AI_TOOL_NAME,
];

/**
 * The values the tool runner put on its own span in their final, redacted form: the tool's name (as the record
 * holds it), type and description, the turn and the emergency flag (each redacted once per distinct value, as the processor would redact it at
 * start and again at end) and the record's arguments and result text (redacted by the record fields). The span
 * processor does not redact them again while the span holds exactly these values under these keys. Any other
 * value under any key — one the tool set itself with `span.setAttribute`, under one of these keys too — is
 * redacted as on every span: a value is judged by its identity with the one kept here, never by its key alone.
 */
export class OwnValues {
  type: AttributeValue | undefined = undefined;
  description: AttributeValue | undefined = undefined;
  turn: AttributeValue | undefined = undefined;
  emergency: AttributeValue | undefined = undefined;
  args: AttributeValue | undefined = undefined;
  result: AttributeValue | undefined = undefined;
  /** The tool's name as the record holds it (through the value detectors). */
  tool: AttributeValue | undefined = undefined;
  /**
   * The span's name as redacted at start (`execute_tool <tool>`): not redacted again at end while the span still
   * has it. A tool that renames its own span (`trace.getActiveSpan()?.updateName(...)`) gets the new name redacted.
   */
  name: string | undefined = undefined;
  /**
   * The record's subject as the runner put it on the span (pseudonymised when personal data): kept while the span
   * holds it. Any other `tooltrail.subject` value, one the tool set itself, is judged as a record's subject is.
   */
  subject: AttributeValue | undefined = undefined;

  /** A bit per `OWN_VALUE_KEYS` entry (1 << its index) whose value `attributes` holds as the runner put it. */
  heldIn(attributes: Attributes): number {
    return (
      held(attributes, ATTR_GEN_AI_TOOL_TYPE, this.type, 1) |
      held(attributes, ATTR_GEN_AI_TOOL_DESCRIPTION, this.description, 2) |
      held(attributes, ATTR_TOOLTRAIL_TURN, this.turn, 4) |
      held(attributes, ATTR_TOOLTRAIL_EMERGENCY, this.emergency, 8) |
      held(attributes, RECORD_ATTRIBUTES.args.span, this.args, 16) |
      held(attributes, RECORD_ATTRIBUTES.result.span, this.result, 32) |
      held(attributes, ATTR_GEN_AI_TOOL_NAME, this.tool, 64)
    );
  }
}

function held(attributes: Attributes, key: string, value: AttributeValue | undefined, bit: number): number {
  return value !== undefined && attributes[key] === value ? bit : 0;
}

/** The bit of an `OWN_VALUE_KEYS` entry; 0 for any other key. */
export function ownBit(key: string): number {
  return OWN_BITS.get(key) ?? 0;
}

const OWN_BITS: ReadonlyMap<string, number> = new Map(OWN_VALUE_KEYS.map((key, at) => [key, 1 << at]));
