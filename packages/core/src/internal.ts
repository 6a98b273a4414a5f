/**
 * `@tooltrail/core/internal`: the building blocks `@tooltrail/cli`, `@tooltrail/instrumentation`, the examples and
 * the benchmarks use beyond the public API. No semver promise: any name here may change in a minor release.
 * An application imports from `@tooltrail/core`. Like `@tooltrail/core/verify`, it loads no OpenTelemetry package:
 * the CLI, which imports only these two, stays small (`packages/cli/test/sdk-free-verify.test.ts` checks the built
 * files).
 */
export { canonicalize } from './canonical/canonical-json.js';
export { computeRecordHash } from './chain/record-hash.js';
export { signRetentionAnchor } from './chain/retention-anchor-signature.js';
export {
  ensureLocalPseudonymKey,
  ensureLocalSigningKey,
  parsePseudonymKey,
  resolvePseudonymKey,
} from './config/keys-from-env.js';
export { DEFAULT_RETENTION_CLASSES } from './config/retention.js';
export { loadSigningKey } from './keys/signing-key.js';
export { openRegularFile, readKeyFile, refusedFile } from './keys/strict-modes.js';
export type { RecordedToolCall, ToolCallInput } from './pipeline/audit-pipeline.js';
export { pseudonymizeSubject } from './pipeline/record-subject.js';
export { Pseudonymizer } from './redaction/pseudonymizer.js';
export type { RedactorOptions } from './redaction/redactor.js';
export { Redactor } from './redaction/redactor.js';
// ── record ↔ telemetry mapping ──────────────────────────────────────────────────────────────────────────────────
// The record field ↔ span attribute ↔ log attribute table (`semconv/record-attributes.ts`) and the attribute names
// (`semconv/attributes.ts`) the CLI's span and archive readers and the MCP instrumentation use.
export {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_TOOLTRAIL_MCP_CLIENT_NAME,
  ATTR_TOOLTRAIL_MCP_SERVER_NAME,
  AUDIT_LOG_SCOPE,
  GEN_AI_OPERATION_EXECUTE_TOOL,
} from './semconv/attributes.js';
export type {
  AttributeKind,
  RecordAttribute,
  RecordAttributeRow,
  RecordField,
} from './semconv/record-attributes.js';
export { RECORD_ATTRIBUTES, RECORD_FIELDS, spanAttributeNames } from './semconv/record-attributes.js';
export type { ToolAuditor, ToolRun } from './tool/active-auditor.js';
export { activeAuditor, redactedError } from './tool/active-auditor.js';
// ── trail layout ────────────────────────────────────────────────────────────────────────────────────────────────
// Segment names, listing, line reading and retention anchors (`trail/`): the CLI parses no trail file name itself.
export { listSegments } from './trail/list-trail.js';
export { forEachLineBytes } from './trail/read-line-bytes.js';
export type { TrailLine, TrailPaths } from './trail/read-trail-lines.js';
export { readTrailLines, tooLong } from './trail/read-trail-lines.js';
export type { DeletedSegment, RetentionAnchor, RetentionAnchorFields } from './trail/retention-anchor.js';
export {
  appendRetentionAnchor,
  readRetentionAnchors,
  retentionAnchorsFile,
} from './trail/retention-anchor.js';
export { parseSegmentName } from './trail/segment-name.js';
// ── witness ─────────────────────────────────────────────────────────────────────────────────────────────────────
// How a witness source (the CLI's collector archive) hands its record lines over as bytes (`verify/read-witness.ts`).
export type { RecordLineReader, RecordLineSink } from './verify/read-witness.js';
export { VERSION } from './version.js';
