import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Redactor } from '../redaction/redactor.js';

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

/** What is known when a span starts: its name, attributes and links. */
export function redactSpanAtStart(redactor: Redactor, span: ReadableSpan, skip: ReadonlySet<string>): void {
  redactSpanName(redactor, span);
  redactAttributeMap(redactor, span.attributes, skip);
  redactLinks(redactor, span);
}

/**
 * Everything a span carries when it ends: name (renamed since start?), attributes and their keys, event names
 * and attributes, link attributes, status message. `withName` is false for spans whose name tooltrail set
 * itself (`execute_tool <tool>`, the tool name an identifier chosen by the integrator, as in the record).
 */
export function redactSpanAtEnd(
  redactor: Redactor,
  span: ReadableSpan,
  skip: ReadonlySet<string>,
  withName: boolean,
): void {
  if (withName) redactSpanName(redactor, span);
  redactAttributeMap(redactor, span.attributes, skip);
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
