import type { AlertDefinition } from './alert-definition.js';
import { emergencyAccess, subjectAccessSpike } from './subject-access.js';
import { toolFailureRateHigh } from './tool-failure-rate.js';

/** The alerts shipped with the stack: Prometheus and Loki ruler files and Grafana rules render from these. */
export function alertDefinitions(): AlertDefinition[] {
  return [toolFailureRateHigh(), subjectAccessSpike(), emergencyAccess()];
}
