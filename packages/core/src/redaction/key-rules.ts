import type { KeyRule, RedactionAction } from '../types.js';
import { TOKEN_COUNT } from './default-rules.js';
import { normalizeKey } from './normalize-key.js';

type Match = NonNullable<KeyRule['match']>;

/** A rule ready to compare with field names. */
export interface CompiledRule {
  key: string;
  match: Match;
  kind: string;
  action: RedactionAction;
}

const ACTIONS: readonly RedactionAction[] = ['mask', 'drop', 'pseudonymize'];
const MATCHES: readonly Match[] = ['suffix', 'prefix', 'contains', 'exact', 'word'];

/** Checks and compiles one rule; a bad rule throws with a clear, prefixed message. */
export function compileRule(rule: KeyRule, index: number): CompiledRule {
  const where = `tooltrail: redaction rule #${index} (${JSON.stringify(rule?.key)})`;
  if (typeof rule !== 'object' || rule === null || typeof rule.key !== 'string') {
    throw new Error(
      `${where}: expected { key: string, kind?: string, action?: 'mask' | 'drop' | 'pseudonymize', match? }`,
    );
  }
  const key = normalizeKey(rule.key);
  if (key.length === 0) throw new Error(`${where}: key has no letters or digits`);
  const action = rule.action ?? 'mask';
  if (!ACTIONS.includes(action)) throw new Error(`${where}: unknown action ${JSON.stringify(action)}`);
  const match = rule.match ?? 'suffix';
  if (!MATCHES.includes(match)) throw new Error(`${where}: unknown match ${JSON.stringify(match)}`);
  const kind = rule.kind ?? key;
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(kind)) throw new Error(`${where}: kind must be 1-40 of [A-Za-z0-9_.-]`);
  return { key, match, kind, action };
}

/** The words of a field name, lower case: split at non-alphanumerics and at lower→upper case changes. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Whether `rule` matches a field name, given its normalised form and its words. */
export function ruleMatches(rule: CompiledRule, normalized: string, words: () => string[]): boolean {
  switch (rule.match) {
    case 'suffix':
      return normalized.endsWith(rule.key);
    case 'prefix':
      return normalized.startsWith(rule.key);
    case 'contains':
      return normalized.includes(rule.key);
    case 'exact':
      return normalized === rule.key;
    case 'word':
      return words().includes(rule.key);
  }
}

/**
 * The first of `rules` that matches the field name `key`. A `contains` rule for `token` skips counting names
 * (`max_tokens`, `input_tokens`: `TOKEN_COUNT`).
 */
export function findRule(key: string, rules: readonly CompiledRule[]): CompiledRule | null {
  if (rules.length === 0) return null;
  const normalized = normalizeKey(key);
  let words: string[] | undefined;
  const lazyWords = () => {
    words ??= keyWords(key);
    return words;
  };
  for (const rule of rules) {
    if (!ruleMatches(rule, normalized, lazyWords)) continue;
    if (rule.key === 'token' && rule.match === 'contains' && TOKEN_COUNT.test(normalized)) continue;
    return rule;
  }
  return null;
}
