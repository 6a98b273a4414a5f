import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { DetectorKind, PseudonymKey, RedactionOptions } from '../types.js';
import { cutText, withoutContextTail } from './cut-text.js';
import { DEFAULT_KEY_RULES, HEADER_CREDENTIAL, QUERY_KEY_RULES } from './default-rules.js';
import { type Detector, enabledDetectors } from './detectors.js';
import { keepStringMethodsFast } from './fast-string-methods.js';
import { type CompiledRule, compileRule, findRule } from './key-rules.js';
import { Pseudonymizer } from './pseudonymizer.js';
import { redactFreeText } from './redact-free-text.js';
import { resolveLimits } from './resolve-limits.js';
import { type SanitizeLimits, sanitizeNumber, sanitizeValue } from './sanitize-value.js';
import { isSemconvKey } from './semconv-allow-list.js';

const HEADER_RULE: CompiledRule = { key: 'credential', match: 'exact', kind: 'credential', action: 'mask' };
const DETECTOR_KINDS: readonly DetectorKind[] = [
  'ssn',
  'card',
  'email',
  'phone',
  'jwt',
  'bearer',
  'cloud_key',
  'private_key',
  'iban',
];
const SECRET_DETECTORS = new Set<DetectorKind>(['jwt', 'bearer', 'cloud_key', 'private_key']);
const RULE_CACHE_LIMIT = 10_000;
/** Attribute values this long or shorter are remembered once redacted (tool types, names, methods repeat). */
const ATTRIBUTE_MEMO_MAX_LENGTH = 128;
/** Remembered attribute values: past this many, the memo starts over. */
const ATTRIBUTE_MEMO_LIMIT = 1024;

/** Marker written in place of a redacted value. */
export function mask(kind: string): string {
  let out = MASKS.get(kind);
  if (out === undefined) {
    out = `[REDACTED:${kind}]`;
    if (MASKS.size < 1024) MASKS.set(kind, out);
  }
  return out;
}

const MASKS = new Map<string, string>();

export interface RedactorOptions extends RedactionOptions {
  pseudonymKey?: PseudonymKey;
}

/**
 * Redacts values before anything is hashed, stored or exported: field-name rules at any depth (objects,
 * arrays, Maps), value detectors in free text, and bounds on size and depth. Rules are compiled once here;
 * a bad rule throws now, with a clear message, rather than leaking later.
 */
export class Redactor {
  readonly limits: SanitizeLimits;
  private readonly _userRules: CompiledRule[];
  private readonly _defaultRules: CompiledRule[];
  private readonly _queryRules: CompiledRule[];
  private readonly _queryCache = new Map<string, CompiledRule | null>();
  private readonly _ruleCache = new Map<string, CompiledRule | null>();
  private readonly _keyCache = new Map<string, string>();
  /** Short attribute values, redacted: `redactJsonOrText` is a pure function of the value for one Redactor. */
  private readonly _attributeMemo = new Map<string, string>();
  private readonly _enabled: Set<DetectorKind>;
  /** The enabled detectors, in priority order. */
  private readonly _detectors: readonly Detector[];
  private readonly _detectorActions = new Map<DetectorKind, 'mask' | 'pseudonymize'>();
  /** Per detector kind, its mask when its action comes to one (a mask, or no pseudonym key): no lookup per value. */
  private readonly _detectorMasks: Partial<Record<DetectorKind, string>> = {};
  private readonly _pseudonymizer: Pseudonymizer | undefined;

  constructor(options: RedactorOptions = {}) {
    keepStringMethodsFast();
    this._pseudonymizer = options.pseudonymKey ? new Pseudonymizer(options.pseudonymKey) : undefined;
    const userRules = (options.keys ?? []).map((rule, index) => compileRule(rule, index));
    const defaults =
      options.defaultKeys === false ? [] : DEFAULT_KEY_RULES.map((rule, i) => compileRule(rule, i));
    // Longest key first, so `emailaddress` wins over `address`; user rules before defaults.
    this._userRules = userRules;
    this._defaultRules = defaults.sort((a, b) => b.key.length - a.key.length);
    this._queryRules =
      options.defaultKeys === false ? [] : QUERY_KEY_RULES.map((rule, i) => compileRule(rule, i));
    this._enabled = new Set(DETECTOR_KINDS);
    for (const [kind, setting] of Object.entries(options.detectors ?? {})) {
      if (!DETECTOR_KINDS.includes(kind as DetectorKind)) {
        throw new Error(
          `tooltrail: unknown redaction detector ${JSON.stringify(kind)}; known: ${DETECTOR_KINDS.join(', ')}`,
        );
      }
      if (setting === 'off') this._enabled.delete(kind as DetectorKind);
      else if (setting === 'mask' || setting === 'pseudonymize')
        this._detectorActions.set(kind as DetectorKind, setting);
      else
        throw new Error(
          `tooltrail: detector ${kind} action must be 'mask', 'pseudonymize' or 'off', got ${JSON.stringify(setting)}`,
        );
    }
    this.limits = resolveLimits(options.limits);
    this._detectors = enabledDetectors(this._enabled);
    for (const kind of DETECTOR_KINDS) {
      if (this._detectorAction(kind) === 'mask' || !this._pseudonymizer)
        this._detectorMasks[kind] = mask(kind);
    }
  }

  /** Whether pseudonyms can be made (a key is configured); without one every pseudonymise rule masks. */
  get pseudonymsEnabled(): boolean {
    return this._pseudonymizer !== undefined;
  }

  /** A JSON-safe, bounded, redacted copy of any value. Never throws. */
  redactValue(value: unknown): unknown {
    // Primitives as sanitizeValue's walk turns them (no walk state needed for one value).
    switch (typeof value) {
      case 'string':
        return this.redactText(value);
      case 'number':
        return sanitizeNumber(value, this);
      case 'boolean':
        return value;
      case 'undefined':
        return null;
    }
    return sanitizeValue(value, this.limits, this);
  }

  /** Redacts sensitive values inside free text (and bounds its length). Never throws. */
  redactText(text: string): string {
    const max = this.limits.maxStringLength;
    // Look a little past the cut so that a value straddling it is still recognised, then cut.
    const window = text.length > max + 256 ? text.slice(0, max + 256) : text;
    let out = window.length >= 6 ? this._replaceDetected(window) : window;
    if (window.length < text.length) out = withoutContextTail(out, window, max);
    if (!out.isWellFormed()) out = out.toWellFormed();
    if (text.length > max) return `${cutText(out, max)}…[truncated:${text.length} chars]`;
    return out;
  }

  /**
   * A field name as stored: keys can hold values too (a map keyed by email), so they pass the value
   * detectors and the length bound; well-formed. Cached: field names repeat.
   */
  redactKey(key: string): string {
    let out = this._keyCache.get(key);
    if (out !== undefined) return out;
    out = key.length < 6 && key.isWellFormed() ? key : this.redactText(key);
    if (this._keyCache.size >= RULE_CACHE_LIMIT) this._keyCache.clear();
    // Huge keys are not cached (they would pin memory); they are rare.
    if (key.length <= 256) this._keyCache.set(key, out);
    return out;
  }

  /**
   * The rule for a field name, if any (cached: field names repeat). User rules first; the default rules skip
   * semantic-convention names (`server.address`, `service.name`, ...) and counting names (`max_tokens`).
   */
  ruleFor(key: string): CompiledRule | null {
    let rule = this._ruleCache.get(key);
    if (rule !== undefined) return rule;
    rule = findRule(key, this._userRules);
    if (rule === null && !isSemconvKey(key.toLowerCase())) {
      rule = findRule(key, this._defaultRules);
      if (rule === null && this._defaultRules.length > 0 && HEADER_CREDENTIAL.test(key)) rule = HEADER_RULE;
    }
    if (this._ruleCache.size >= RULE_CACHE_LIMIT) this._ruleCache.clear();
    this._ruleCache.set(key, rule);
    return rule;
  }

  /** `ruleFor`, plus the query-only rules (`code`, `sig`, `key`) for a URL query parameter. */
  private _ruleForPair(key: string, query: boolean): CompiledRule | null {
    const rule = this.ruleFor(key);
    if (rule !== null || !query) return rule;
    let found = this._queryCache.get(key);
    if (found === undefined) {
      found = findRule(key, this._queryRules);
      if (this._queryCache.size >= RULE_CACHE_LIMIT) this._queryCache.clear();
      this._queryCache.set(key, found);
    }
    return found;
  }

  /** Applies a field-name rule to a value; `undefined` means drop the field. */
  applyRule(rule: CompiledRule, value: unknown): string | undefined {
    if (rule.action === 'drop') return undefined;
    if (rule.action === 'pseudonymize' && this._pseudonymizer) {
      return this._pseudonymizer.pseudonymize(value, rule.kind);
    }
    return mask(rule.kind);
  }

  /** The keyed pseudonym of a value (as the CLI's `pseudonym` command prints it), or undefined without a key. */
  pseudonym(value: unknown, kind: string): string | undefined {
    return this._pseudonymizer?.pseudonymize(value, kind);
  }

  /**
   * Redacts span or log attributes in place. JSON-valued strings (tool arguments from other instrumentations)
   * are redacted field by field; other strings by the value detectors. Keys in `skip` are left as they are.
   */
  redactAttributes(attributes: Attributes, skip?: ReadonlySet<string>): void {
    for (const key of Object.keys(attributes)) {
      if (skip?.has(key)) continue;
      const value = attributes[key];
      const rule = this.ruleFor(key);
      if (rule) {
        const replaced = this.applyRule(rule, value);
        if (replaced === undefined) delete attributes[key];
        else attributes[key] = replaced;
        continue;
      }
      const redacted = this._redactAttributeValue(value);
      if (redacted !== value) attributes[key] = redacted;
    }
  }

  private _redactAttributeValue(value: AttributeValue | undefined): AttributeValue | undefined {
    if (typeof value === 'string') {
      if (value.length > ATTRIBUTE_MEMO_MAX_LENGTH) return this.redactJsonOrText(value);
      let out = this._attributeMemo.get(value);
      if (out === undefined) {
        out = this.redactJsonOrText(value);
        if (this._attributeMemo.size >= ATTRIBUTE_MEMO_LIMIT) this._attributeMemo.clear();
        this._attributeMemo.set(value, out);
      }
      return out;
    }
    // A card number may be given as a number: judged as text, a string only when masked.
    if (typeof value === 'number') return sanitizeNumber(value, this);
    if (Array.isArray(value)) {
      let changed = false;
      const out = value.map((item) => {
        if (typeof item === 'number') {
          const redacted = sanitizeNumber(item, this);
          if (redacted !== item) changed = true;
          return redacted;
        }
        if (typeof item !== 'string') return item;
        const redacted = this.redactText(item);
        if (redacted !== item) changed = true;
        return redacted;
      });
      return changed ? (out as AttributeValue) : value;
    }
    return value;
  }

  /** A string that holds JSON is redacted structurally (so field-name rules apply); other text by detectors. */
  redactJsonOrText(text: string): string {
    const first = text.charCodeAt(0);
    if ((first === 123 || first === 91) && text.length <= 1_000_000) {
      try {
        return JSON.stringify(this.redactValue(JSON.parse(text)));
      } catch {
        // Not JSON after all: fall through to the text detectors.
      }
    }
    return this.redactText(text);
  }

  private _replaceDetected(text: string): string {
    return redactFreeText(text, this._detectors, this._pairLookup, this._replaceValue);
  }

  private readonly _pairLookup = (key: string, query: boolean) => this._ruleForPair(key, query);

  private readonly _replaceValue = (
    what: DetectorKind | CompiledRule,
    source: string,
    from: number,
    to: number,
  ): string => {
    if (typeof what !== 'string') return this.applyRule(what, source.slice(from, to)) ?? mask(what.kind);
    const masked = this._detectorMasks[what];
    if (masked !== undefined || !this._pseudonymizer) return masked ?? mask(what);
    return this._pseudonymizer.pseudonymize(source.slice(from, to), what);
  };

  private _detectorAction(kind: DetectorKind): 'mask' | 'pseudonymize' {
    return this._detectorActions.get(kind) ?? (SECRET_DETECTORS.has(kind) ? 'mask' : 'pseudonymize');
  }
}
