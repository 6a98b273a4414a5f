// tooltrail inside an application that already runs the OpenTelemetry NodeSDK.
// The audit processor goes FIRST in spanProcessors: it redacts every span before the exporters see it.
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { auditTool, setupToolAudit, withAuditContext } from '@tooltrail/core';

const audit = setupToolAudit({ serviceName: 'support-agent', register: false });
const exporter = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  ? []
  : [new SimpleSpanProcessor(new ConsoleSpanExporter())];
const sdk = new NodeSDK({ serviceName: 'support-agent', spanProcessors: [audit.spanProcessor, ...exporter] });
sdk.start();

const updateOrder = auditTool('update_order_status', async ({ order_id, status }) => ({
  order_id,
  status,
  old_status: 'processing',
}));

await withAuditContext(
  {
    userId: 'usr_98765',
    userRole: 'support_agent',
    conversationId: 'conv_abc123',
    turn: 3,
    model: 'gpt-4.1',
  },
  () => updateOrder({ order_id: 'ORD-54321', status: 'shipped', customer_email: 'jane.roe@example.org' }),
);

await audit.shutdown();
await sdk.shutdown();
console.log(`audited into ${audit.trailDir} (chain ${audit.chainId})`);
