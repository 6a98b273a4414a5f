import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Redactor } from '../redaction/redactor.js';
import { OWN_VALUE_KEYS, type OwnValues, ownBit } from './own-values.js';

/** The class bit of a kept key (above every `OwnValues` bit). */
const KEPT = 1 << OWN_VALUE_KEYS.length;

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
 * while the span still holds them. Any other value is redacted.
 */
export class SpanAttributeRedaction {
  /** `kept` plus the own keys of each bit mask (`OwnValues.heldIn`), made once per mask. */
  private readonly _skips: (ReadonlySet<string> | undefined)[] = [];
  /** Whether key redaction leaves every kept and own key as it is (then a span holding only those needs nothing). */
  private _keysStay: boolean | undefined;
  /** Per key: `KEPT` for a kept key, its `OwnValues` bit for an own key (one lookup per key of a span). */
  private readonly _classes: ReadonlyMap<string, number>;

  constructor(
    private readonly _redactor: Redactor,
    private readonly _kept: ReadonlySet<string>,
  ) {
    const classes = new Map<string, number>();
    for (const key of OWN_VALUE_KEYS) classes.set(key, ownBit(key));
    for (const key of _kept) classes.set(key, KEPT);
    this._classes = classes;
  }

  redact(attributes: Attributes, own: OwnValues | undefined): void {
    if (own === undefined) {
      redactAttributeMap(this._redactor, attributes, this._kept);
      return;
    }
    const mask = own.heldIn(attributes);
    if (this._keysStay ?? this._checkKeys()) {
      const left = mask | KEPT;
      let others = false;
      // for-in also sees inherited enumerable keys: they only send the span down the full path below.
      for (const key in attributes) {
        if (((this._classes.get(key) ?? 0) & left) === 0) {
          others = true;
          break;
        }
      }
      if (!others) return;
    }
    redactAttributeMap(this._redactor, attributes, this._skip(mask));
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
  attributes.redact(span.attributes, own);
  redactLinks(redactor, span);
}

/**
 * Everything a span carries when it ends: name (renamed since start?), attributes and their keys, event names
 * and attributes, link attributes, status message. The name is left as it is on spans the tool runner started
 * (`own` set: `execute_tool <tool>`, the tool name an identifier chosen by the integrator, as in the record).
 */
export function redactSpanAtEnd(
  redactor: Redactor,
  span: ReadableSpan,
  attributes: SpanAttributeRedaction,
  own: OwnValues | undefined,
): void {
  if (own === undefined) redactSpanName(redactor, span);
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
