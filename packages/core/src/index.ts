export { canonicalize } from './canonical/canonical-json.js';
export { checkpointSigningPayload } from './chain/checkpoint.js';
export { computeRecordHash, sealRecord } from './chain/record-hash.js';
export {
  ensureLocalPseudonymKey,
  ensureLocalSigningKey,
  parsePseudonymKey,
  resolvePseudonymKey,
} from './config/keys-from-env.js';
export { DEFAULT_RETENTION_CLASSES, DEFAULT_RETENTION_TOOLS, RetentionPolicy } from './config/retention.js';
export { getAuditContext, getExplicitAuditContext, withAuditContext } from './context/audit-context.js';
export type { AuditCounts } from './internal/audit-metrics.js';
export { AUDIT_METRICS } from './internal/audit-metrics.js';
export { generateSigningKeyPair, keyFingerprint, loadPublicKey, loadSigningKey } from './keys/signing-key.js';
export { readKeyFile, UnsafePathError } from './keys/strict-modes.js';
export type { RecordedToolCall, ToolCallInput } from './pipeline/audit-pipeline.js';
export { AuditPipeline, describeError } from './pipeline/audit-pipeline.js';
export { pseudonymizeSubject } from './pipeline/record-subject.js';
export type { AuditSpanProcessorOptions } from './processor/audit-span-processor.js';
export { AuditSpanProcessor } from './processor/audit-span-processor.js';
export type { AuditRecord, ChainedFields, CheckpointRecord, ToolCallRecord } from './record/audit-record.js';
export { GENESIS_HASH, RECORD_VERSION } from './record/audit-record.js';
export { DEFAULT_KEY_RULES } from './redaction/default-rules.js';
export { isLuhnValid, isValidIban } from './redaction/detectors.js';
export { normalizeKey } from './redaction/normalize-key.js';
export { normalizeForPseudonym, Pseudonymizer } from './redaction/pseudonymizer.js';
export type { RedactorOptions } from './redaction/redactor.js';
export { mask, Redactor } from './redaction/redactor.js';
export * as semconv from './semconv/attributes.js';
export type { AuditStats, ToolAudit } from './setup-tool-audit.js';
export { setupToolAudit } from './setup-tool-audit.js';
export { segmentFileName } from './sinks/local-trail.js';
export type { AuditUnavailableReason } from './strict/audit-unavailable-error.js';
export { AuditUnavailableError } from './strict/audit-unavailable-error.js';
export type { ToolAuditor, ToolRun } from './tool/active-auditor.js';
export { activeAuditor } from './tool/active-auditor.js';
export { auditTool, auditToolCall } from './tool/audit-tool.js';
export type {
  AuditContext,
  AuditToolOptions,
  AuditTrigger,
  CheckpointOptions,
  DetectorKind,
  FsyncPolicy,
  KeyRule,
  LocalTrailOptions,
  LogExportOptions,
  PseudonymKey,
  RedactionAction,
  RedactionLimits,
  RedactionOptions,
  RetentionClass,
  RetentionOptions,
  SetupToolAuditOptions,
  SigningKey,
} from './types.js';
export type { TrailLine, TrailPaths, TrailSource } from './verify/read-trail-lines.js';
export { listTrailFiles, readTrailLines } from './verify/read-trail-lines.js';
export type { PublicKeys } from './verify/record-integrity.js';
export type { DeletedSegment, RetentionAnchor, RetentionAnchorFields } from './verify/retention-anchor.js';
export {
  readRetentionAnchors,
  retentionAnchorsFile,
  signRetentionAnchor,
} from './verify/retention-anchor.js';
export type {
  ChainSummary,
  ProblemKind,
  VerifyProblem,
  VerifyReport,
  VerifyTrailOptions,
} from './verify/verify-trail.js';
export { verifyTrail } from './verify/verify-trail.js';
export { VERSION } from './version.js';
