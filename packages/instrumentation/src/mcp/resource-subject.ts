import { activeAuditor } from '@tooltrail/core/internal';

const MAX_SUBJECT_LENGTH = 256;
// RFC 3986: scheme ":" [ "//" authority ] path [ "?" query ] [ "#" fragment ].
const URI = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)/;

/**
 * The data subject an MCP resource URI names, as `<scheme>:<authority>` (`patient://P-123/chart` →
 * `patient:P-123`), or `<scheme>:<path>` when the URI has no authority (`file:///records/P-123.json` →
 * `file:/records/P-123.json`). User info, query and fragment are dropped; the result goes through the setup's
 * redaction (an SSN in a path is masked like anywhere else). Undefined when the URI does not parse.
 */
export function subjectFromUri(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return undefined;
  const match = URI.exec(uri);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const authority = (match[2] ?? '').replace(/^.*@/, '');
  const rest = authority || match[3] || '';
  if (rest === '') return undefined;
  const subject = `${scheme}:${decode(rest)}`.slice(0, MAX_SUBJECT_LENGTH);
  const redact = activeAuditor()?.redactText;
  // Without the setup's redaction nothing vouches for the text: no subject rather than an unredacted one.
  if (!redact) return undefined;
  try {
    return redact.call(activeAuditor(), subject);
  } catch {
    return undefined;
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
