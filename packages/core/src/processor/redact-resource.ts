import type { Attributes } from '@opentelemetry/api';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { Redactor } from '../redaction/redactor.js';
import { redactAttributeMap } from './redact-span.js';

/**
 * A copy of a resource with its attribute keys and values redacted (`OTEL_RESOURCE_ATTRIBUTES` can hold an
 * owner's e-mail). Used where tooltrail builds the resource itself, for spans and exported records alike.
 * Attributes still pending (async detectors) are not read, and so not carried over.
 */
export function redactedResource(redactor: Redactor, resource: Resource): Resource {
  if (resource.asyncAttributesPending) return resource;
  const attributes: Attributes = { ...resource.attributes };
  redactAttributeMap(redactor, attributes);
  return resourceFromAttributes(attributes, resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : {});
}

/**
 * Redacts, in place and once, the attributes of a resource tooltrail did not build (a user's own NodeSDK
 * provider): the settled attributes object the SDK memoises is what every exporter reads. A resource whose
 * detectors are still pending is tried again on a later span. Returns whether the resource is now redacted.
 */
export function redactResourceInPlace(redactor: Redactor, resource: Resource | undefined): boolean {
  if (!resource) return true;
  if (resource.asyncAttributesPending) return false;
  const attributes = resource.attributes;
  // The same object must come back on the next read, or there is nothing to redact in place.
  if (attributes !== resource.attributes) return false;
  redactAttributeMap(redactor, attributes as Attributes);
  return true;
}
