/**
 * `@tooltrail/core/verify`: the verifier without the SDK. `verifyTrail`, the public-key loader it trusts keys
 * with, and their types — the same functions `@tooltrail/core` exports — from an entry that loads no
 * OpenTelemetry package: a process that only verifies (the CLI, an auditor's job) does not pay for the tracing
 * and export code (about 20 MB of resident memory on Node 20).
 */
export { loadPublicKey } from './keys/signing-key.js';
export type { AuditRecord, CheckpointRecord, ToolCallRecord } from './record/audit-record.js';
export type { TrailSource } from './trail/read-trail-lines.js';
export type { PublicKeys } from './verify/record-integrity.js';
export { verifyTrail } from './verify/verify-trail.js';
export type {
  ChainSummary,
  ProblemKind,
  VerifyProblem,
  VerifyReport,
  VerifyTrailOptions,
} from './verify/verify-types.js';
