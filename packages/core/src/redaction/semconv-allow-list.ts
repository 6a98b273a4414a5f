import { ATTR_GEN_AI_TOOL_NAME } from '../semconv/attributes.js';

/**
 * OpenTelemetry semantic-convention attribute names that the default key rules would otherwise catch
 * (`address`, `name`, `token`): they describe the system, not a person, and dashboards and service maps rely on
 * them. Only the default key rules skip them; their values still pass the value detectors (an e-mail written into
 * `server.address` is still masked), and a user rule still applies.
 */
const ALLOWED = new Set([
  'server.address',
  'server.port',
  'client.address',
  'client.port',
  'network.peer.address',
  'network.peer.port',
  'network.local.address',
  'network.local.port',
  'source.address',
  'destination.address',
  'net.peer.name',
  'net.host.name',
  'net.sock.peer.addr',
  'net.sock.host.addr',
  'url.scheme',
  'http.request.method',
  'http.response.status_code',
  'service.name',
  'service.namespace',
  'service.version',
  'service.instance.id',
  'host.name',
  'os.name',
  'process.runtime.name',
  'telemetry.sdk.name',
  'otel.scope.name',
  'otel.library.name',
  ATTR_GEN_AI_TOOL_NAME,
  'gen_ai.agent.name',
  'gen_ai.token.type',
  'gen_ai.request.max_tokens',
  'db.system',
  'db.name',
  'db.namespace',
  'messaging.destination.name',
  'rpc.service',
  'rpc.method',
]);

/** Whole namespaces of counters and names: `gen_ai.usage.input_tokens`, `k8s.pod.name`, … */
const ALLOWED_PREFIXES = ['gen_ai.usage.', 'llm.token_count.', 'k8s.', 'container.', 'cloud.', 'faas.'];

/** Whether `key` is a semantic-convention attribute name exempt from the default key rules. */
export function isSemconvKey(key: string): boolean {
  if (ALLOWED.has(key)) return true;
  for (const prefix of ALLOWED_PREFIXES) if (key.startsWith(prefix)) return true;
  return false;
}
