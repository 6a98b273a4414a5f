import { cutText } from '../redaction/cut-text.js';
import { mask, type Redactor } from '../redaction/redactor.js';

const MAX_SUBJECT_LENGTH = 256;
/** How far into the arguments a subject is compared with redacted argument values. */
const MAX_WALK_NODES = 200;
const MAX_WALK_DEPTH = 4;
/** The normalisation kind of subject pseudonyms: text (NFKC, spaces and case folded), as for names. */
export const SUBJECT_PSEUDONYM_KIND = 'subject';

/** How records name their data subject. */
export interface SubjectPolicy {
  redactor: Redactor;
  /** Argument key → subject kind (`{ patient_id: 'patient' }` gives `patient:<id>`). */
  subjectKeys?: Readonly<Record<string, string>>;
  /** Every subject becomes a keyed pseudonym (`patient:hmac:<key-id>:<hex>`), not only sensitive ones. */
  pseudonymizeAll?: boolean;
}

/**
 * The record's `subject`: the one given (a `subject` extractor, a span attribute) or the first configured
 * argument key present, as `<kind>:<value>`. Its value is written in clear only when it is not personal data
 * by the setup's own rules: a value taken from an argument a key rule redacts, one a detector finds, or one
 * that contains such an argument's value is pseudonymised under the pseudonym key (masked without one). With
 * `pseudonymizeAll`, every value is. The `<kind>:` prefix stays readable. Never throws.
 */
export function recordSubject(policy: SubjectPolicy, given: unknown, args: unknown): string | null {
  try {
    let raw: string | null = null;
    let ruleKind: string | undefined;
    if (typeof given === 'string' ? given !== '' : typeof given === 'number') {
      raw = clean(String(given));
    } else {
      const found = subjectFromArgs(policy.subjectKeys, args);
      if (!found) return null;
      raw = clean(`${found.kind}:${found.value}`);
      ruleKind = policy.redactor.ruleFor(found.key)?.kind;
    }
    const colon = raw.indexOf(':');
    const prefix = colon > 0 ? raw.slice(0, colon + 1) : '';
    const value = colon > 0 ? raw.slice(colon + 1) : raw;
    // Already masked upstream (an MCP resource URI with an SSN): a mask is no identifier to pseudonymise.
    if (value.includes('[REDACTED:')) return raw;
    const { redactor } = policy;
    const sensitive =
      policy.pseudonymizeAll === true ||
      ruleKind !== undefined ||
      redactor.redactText(value) !== value ||
      (given !== undefined && containsRedactedArgument(redactor, value, args));
    if (!sensitive) return raw;
    const pseudonym = redactor.pseudonym(value, SUBJECT_PSEUDONYM_KIND);
    return `${prefix}${pseudonym ?? mask(ruleKind ?? SUBJECT_PSEUDONYM_KIND)}`;
  } catch {
    // A hostile argument object (throwing getter, proxy): no subject rather than no record.
    return null;
  }
}

/**
 * The subject as records hold it when pseudonymised: `patient:Jane Roe` → `patient:hmac:<key-id>:<hex>` (a bare
 * value gives a bare pseudonym). What `tooltrail pseudonym --kind subject` prints and `tooltrail report access`
 * looks up, with the same key.
 */
export function pseudonymizeSubject(
  pseudonymizer: { pseudonymize(value: unknown, kind: string): string },
  subject: string,
): string {
  const colon = subject.indexOf(':');
  const prefix = colon > 0 ? subject.slice(0, colon + 1) : '';
  return `${prefix}${pseudonymizer.pseudonymize(colon > 0 ? subject.slice(colon + 1) : subject, SUBJECT_PSEUDONYM_KIND)}`;
}

function subjectFromArgs(
  keys: Readonly<Record<string, string>> | undefined,
  args: unknown,
): { key: string; kind: string; value: string | number } | undefined {
  if (!keys || args === null || typeof args !== 'object' || Array.isArray(args)) return undefined;
  for (const [key, kind] of Object.entries(keys)) {
    const value = (args as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') return { key, kind, value };
  }
  return undefined;
}

/** Whether `value` contains the value of an argument field that a key rule redacts (bounded walk). */
function containsRedactedArgument(redactor: Redactor, value: string, args: unknown): boolean {
  let budget = MAX_WALK_NODES;
  const walk = (node: unknown, depth: number): boolean => {
    if (node === null || typeof node !== 'object' || depth > MAX_WALK_DEPTH) return false;
    // Never more elements than the budget: `map` over a 10-million-element array took over a second per call.
    const entries = Array.isArray(node)
      ? Array.from({ length: Math.min(node.length, budget + 1) }, (_, i) => [String(i), node[i]])
      : Object.entries(node);
    for (const [key, item] of entries) {
      if (--budget < 0) return false;
      if (typeof item === 'string' || typeof item === 'number') {
        const text = String(item);
        if (text.length >= 2 && redactor.ruleFor(key as string) && value.includes(text)) return true;
      } else if (walk(item, depth + 1)) return true;
    }
    return false;
  };
  return walk(args, 0);
}

function clean(text: string): string {
  const cut = cutText(text, MAX_SUBJECT_LENGTH);
  return cut.isWellFormed() ? cut : cut.toWellFormed();
}
