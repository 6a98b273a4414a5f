import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { Redactor } from '../redaction/redactor.js';
import { redactAttributeMap } from './redact-span.js';

type RawValue = AttributeValue | undefined | Promise<AttributeValue | undefined>;

/**
 * A copy of a resource with its attribute keys and values redacted (`OTEL_RESOURCE_ATTRIBUTES` can hold an
 * owner's e-mail). Attributes still pending (async detectors) are redacted when they settle, so the copy can be
 * made at once; exporters wait for them as they do for the original. Never throws: a resource that cannot be
 * read gives an empty one (a lost attribute beats a leaked value).
 */
export function redactedResource(redactor: Redactor, resource: Resource): Resource {
  try {
    const raw = resource.getRawAttributes() as Array<[string, RawValue]>;
    const attributes: Record<string, RawValue> = {};
    for (const [key, value] of raw) {
      const settled = redactEntry(redactor, key, value);
      if (settled) {
        const [redactedKey, redactedValue] = settled;
        // The first value of a key wins, as in the SDK's own resource.
        if (!(redactedKey in attributes)) attributes[redactedKey] = redactedValue;
      }
    }
    const options = resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : {};
    return resourceFromAttributes(attributes as Parameters<typeof resourceFromAttributes>[0], options);
  } catch {
    return resourceFromAttributes({});
  }
}

/** One raw attribute, redacted by the span attribute rules (key rules, value detectors, key detectors). */
function redactEntry(redactor: Redactor, key: string, value: RawValue): [string, RawValue] | undefined {
  // A detector that found nothing leaves no value: nothing to redact, and no rule may turn it into a mask.
  if (value === undefined || value === null) return undefined;
  if (value !== null && typeof value === 'object' && typeof (value as Promise<unknown>).then === 'function') {
    const redactedKey = redactor.redactKey(key);
    const pending = (value as Promise<AttributeValue | undefined>).then(
      (settled) => redactEntry(redactor, key, settled)?.[1] as AttributeValue | undefined,
      () => undefined,
    );
    return [redactedKey, pending];
  }
  const one: Attributes = { [key]: value as AttributeValue | undefined };
  redactAttributeMap(redactor, one);
  const entries = Object.entries(one);
  return entries.length === 1 ? (entries[0] as [string, AttributeValue]) : undefined;
}

/**
 * Redacted copies of the resources of a user's own provider, made once per resource: the processor puts the
 * copy on each span (its `resource` field) before any later processor or exporter reads it.
 */
export class ResourceRedactions {
  private readonly _copies = new WeakMap<Resource, Resource>();
  /** The last resource asked for and its copy: spans of one provider share one resource (no lookup per span). */
  private _last: Resource | undefined;
  private _lastCopy: Resource | undefined;

  constructor(private readonly _redactor: Redactor) {}

  /** The redacted copy of `resource` (the resource itself when it is one of the copies). */
  copyOf(resource: Resource): Resource {
    if (resource === this._last) return this._lastCopy as Resource;
    let copy = this._copies.get(resource);
    if (!copy) {
      copy = redactedResource(this._redactor, resource);
      this._copies.set(resource, copy);
      this._copies.set(copy, copy);
    }
    this._last = resource;
    this._lastCopy = copy;
    return copy;
  }
}
