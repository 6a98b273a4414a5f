import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { recordSubject } from '../pipeline/record-subject.js';
import type { Redactor } from '../redaction/redactor.js';
import { RECORD_ATTRIBUTES } from '../semconv/record-attributes.js';
import { OWN_VALUE_KEYS, type OwnValues, ownBit } from './own-values.js';

/** How a record's subject is judged (`RecordFields.subjectOf`): clear, pseudonymised, masked, or null. */
export type SubjectJudge = (given: unknown) => string | null;

const ATTR_SUBJECT = RECORD_ATTRIBUTES.subject.span;

/** The class bit of a kept key (above every `OwnValues` bit). */
const KEPT = 1 << OWN_VALUE_KEYS.length;

/** Key sequences longer than this are judged key by key every time (not remembered). */
const MAX_REMEMBERED_KEYS = 64;

/** A span's attribute keys in for-in order, all kept or own, and the `OwnValues` bits of its own keys. */
interface KeySequence {
  readonly keys: readonly string[];
  readonly needs: number;
}

/** The semantic-convention attribute for a URL's query component, written without its `?`. */
const ATTR_URL_QUERY = 'url.query';

/** The parts of an SDK span a processor may rewrite (plain fields on sdk-trace-base 2.x spans). */
interface WritableSpan {
  name: string;
  status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: ReadonlyArray<{ name: string; attributes?: Attributes }>;
  readonly links: ReadonlyArray<{ attributes?: Attributes }>;
}

/**
 * Renames attribute keys that carry a value themselves (`user.carol@example.net`): each key passes the value
 * detectors (cached, as key names repeat). A renamed key keeps its (already redacted) value; a later pass may
 * judge it again by the new key, whose mask may match a rule (`[REDACTED:email]`): over-masking, never a leak.
 * When two keys redact to the same name, the later value wins (both were personal data in their key).
 */
export function redactAttributeKeys(redactor: Redactor, attributes: Attributes): void {
  for (const key of Object.keys(attributes)) {
    const redacted = redactor.redactKey(key);
    if (redacted === key) continue;
    const value = attributes[key];
    delete attributes[key];
    attributes[redacted] = value;
  }
}

/**
 * Attribute values (rules judged by the key as given, detectors in text), then keys; keys in `skip` keep their
 * value. Keys last: a rule must not fire on the mask a key received (`user/[REDACTED:email]` is no e-mail field).
 */
export function redactAttributeMap(
  redactor: Redactor,
  attributes: Attributes,
  skip?: ReadonlySet<string>,
): void {
  // `url.query` holds a query string without its `?` (`q=Jane+Roe`): given back its `?`, the redactor reads it
  // as one (`+` is a space, each parameter judged by its key).
  const query = attributes[ATTR_URL_QUERY];
  const bare = typeof query === 'string' && query.length > 0 && query.charCodeAt(0) !== 63;
  if (bare) attributes[ATTR_URL_QUERY] = `?${query}`;
  redactor.redactAttributes(attributes, skip);
  if (bare) {
    const redacted = attributes[ATTR_URL_QUERY];
    if (typeof redacted === 'string' && redacted.charCodeAt(0) === 63)
      attributes[ATTR_URL_QUERY] = redacted.slice(1);
  }
  redactAttributeKeys(redactor, attributes);
}

/**
 * A span name passes the value detectors: an instrumentation may put a URL, a query or a user's name in it, at
 * start or later with `updateName()`. Names repeat, so the redactor's key cache serves them.
 */
export function redactSpanName(redactor: Redactor, span: ReadableSpan): void {
  const name = span.name;
  if (typeof name !== 'string') return;
  const redacted = redactor.redactKey(name);
  if (redacted !== name) (span as unknown as WritableSpan).name = redacted;
}

/**
 * The attribute values (and keys) of spans: keys in `kept` keep their value on every span (identifiers chosen by
 * the integrator); on a span the tool runner started, so do the values it put there already redacted (`OwnValues`),
 * while the span still holds them. Any other value is redacted. `tooltrail.subject` is the record's subject: a
 * value the runner did not put there (an application span's, one a tool set on its own span) is judged as a
 * record's subject is — pseudonymised or masked when personal data, in clear when no rule says it is.
 */
export class SpanAttributeRedaction {
  /** `kept` plus the own keys of each bit mask (`OwnValues.heldIn`), made once per mask. */
  private readonly _skips: (ReadonlySet<string> | undefined)[] = [];
  /** Whether key redaction leaves every kept and own key as it is (then a span holding only those needs nothing). */
  private _keysStay: boolean | undefined;
  /** Per key: `KEPT` for a kept key, its `OwnValues` bit for an own key (one lookup per key of a span). */
  private readonly _classes: ReadonlyMap<string, number>;
  /** The last key sequences found all kept or own, newest first, with the own bits they need held. */
  private readonly _sequences: KeySequence[] = [];

  private readonly _subjectOf: SubjectJudge;

  constructor(
    private readonly _redactor: Redactor,
    private readonly _kept: ReadonlySet<string>,
    subjectOf?: SubjectJudge,
  ) {
    this._subjectOf = subjectOf ?? ((given) => recordSubject({ redactor: _redactor }, given, undefined));
    const classes = new Map<string, number>();
    for (const key of OWN_VALUE_KEYS) classes.set(key, ownBit(key));
    for (const key of _kept) classes.set(key, KEPT);
    this._classes = classes;
  }

  redact(attributes: Attributes, own: OwnValues | undefined): void {
    const subject = attributes[ATTR_SUBJECT];
    if (subject !== undefined && (own === undefined || subject !== own.subject))
      this._judgeSubject(attributes, subject);
    if (own === undefined) {
      redactAttributeMap(this._redactor, attributes, this._kept);
      return;
    }
    const mask = own.heldIn(attributes);
    if (this._keysStay ?? this._checkKeys()) {
      const needs = this._ownBitsNeeded(attributes);
      // Every key kept or own, and every own key holding the runner's value: nothing to redact.
      if (needs >= 0 && (needs & ~mask) === 0) return;
    }
    redactAttributeMap(this._redactor, attributes, this._skip(mask));
  }

  /**
   * The `OwnValues` bits of `attributes`' own keys when every key is kept or own; -1 when some key is neither.
   * An audited span shows the same few key sequences (at start, at end) on every call: the last two are
   * remembered, and a span whose keys are one of them, in the same order, is judged by comparing key strings
   * (no lookup per key). for-in also sees inherited enumerable keys: they only send the span down the full path.
   */
  private _ownBitsNeeded(attributes: Attributes): number {
    for (let slot = 0; slot < this._sequences.length; slot++) {
      const known = this._sequences[slot] as KeySequence;
      const keys = known.keys;
      let at = 0;
      let same = true;
      for (const key in attributes) {
        if (at >= keys.length || keys[at] !== key) {
          same = false;
          break;
        }
        at++;
      }
      if (same && at === keys.length) return known.needs;
    }
    const keys: string[] = [];
    let needs = 0;
    for (const key in attributes) {
      const found = this._classes.get(key);
      if (found === undefined) return -1;
      if (found !== KEPT) needs |= found;
      keys.push(key);
    }
    if (keys.length <= MAX_REMEMBERED_KEYS) {
      // The newest first: one at start and one at end stay remembered while spans alternate them.
      this._sequences.unshift({ keys, needs });
      if (this._sequences.length > 2) this._sequences.pop();
    }
    return needs;
  }

  /** A subject the runner did not put there, as a record would hold it (removed when none can be made of it). */
  private _judgeSubject(attributes: Attributes, subject: unknown): void {
    const judged =
      typeof subject === 'string' || typeof subject === 'number' ? this._subjectOf(subject) : null;
    if (judged === null) delete attributes[ATTR_SUBJECT];
    else if (judged !== subject) attributes[ATTR_SUBJECT] = judged;
  }

  private _checkKeys(): boolean {
    const keys = [...this._kept, ...OWN_VALUE_KEYS];
    this._keysStay = keys.every((key) => this._redactor.redactKey(key) === key);
    return this._keysStay;
  }

  private _skip(mask: number): ReadonlySet<string> {
    let skip = this._skips[mask];
    if (skip === undefined) {
      skip = new Set([...this._kept, ...OWN_VALUE_KEYS.filter((_, at) => (mask & (1 << at)) !== 0)]);
      this._skips[mask] = skip;
    }
    return skip;
  }
}

/** What is known when a span starts: its name, attributes and links. */
export function redactSpanAtStart(
  redactor: Redactor,
  span: ReadableSpan,
  attributes: SpanAttributeRedaction,
  own: OwnValues | undefined,
): void {
  redactSpanName(redactor, span);
  if (own !== undefined) own.name = span.name;
  attributes.redact(span.attributes, own);
  redactLinks(redactor, span);
}

/**
 * Everything a span carries when it ends: name (renamed since start?), attributes and their keys, event names
 * and attributes, link attributes, status message. On a span the tool runner started (`own` set), the name it
 * had at start (`execute_tool <tool>`, redacted then) is not redacted again; a rename since is.
 */
export function redactSpanAtEnd(
  redactor: Redactor,
  span: ReadableSpan,
  attributes: SpanAttributeRedaction,
  own: OwnValues | undefined,
): void {
  if (own === undefined || span.name !== own.name) redactSpanName(redactor, span);
  attributes.redact(span.attributes, own);
  const events = (span as unknown as WritableSpan).events;
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    if (!event) continue;
    const name = event.name;
    if (typeof name === 'string') {
      const redacted = redactor.redactKey(name);
      if (redacted !== name) event.name = redacted;
    }
    if (event.attributes) redactAttributeMap(redactor, event.attributes);
  }
  redactLinks(redactor, span);
  const message = span.status.message;
  if (message) {
    const redacted = redactor.redactText(message);
    if (redacted !== message)
      (span as unknown as WritableSpan).status = { ...span.status, message: redacted };
  }
}

function redactLinks(redactor: Redactor, span: ReadableSpan): void {
  const links = span.links;
  for (let i = 0; i < links.length; i++) {
    const attributes = links[i]?.attributes;
    if (attributes) redactAttributeMap(redactor, attributes);
  }
}
