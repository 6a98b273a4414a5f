/**
 * `@tooltrail/core`: set up the audit, run tools audited, verify a trail. The building blocks the CLI and the
 * instrumentations share live under `@tooltrail/core/internal` (no semver promise).
 */
export { getAuditContext, getExplicitAuditContext, withAuditContext } from './context/audit-context.js';
export { generateSigningKeyPair } from './keys/signing-key.js';
export { UnsafePathError } from './keys/strict-modes.js';
export type { AuditStats, ToolAudit } from './setup-tool-audit.js';
export { setupToolAudit } from './setup-tool-audit.js';
export type { AuditUnavailableReason } from './strict/audit-unavailable-error.js';
export { AuditUnavailableError } from './strict/audit-unavailable-error.js';
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
// The verifier, its key loader and their types: listed once, in the SDK-free `@tooltrail/core/verify` entry.
export * from './verify.js';
export { VERSION } from './version.js';
