import { readdirSync, readFileSync } from 'node:fs';
import type * as Http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { auditTool, setupToolAudit, withAuditContext } from '../../src/index.js';
import { CANARIES } from '../pii/corpus-v1.js';
import { tempDir } from '../support/make-trail.js';
import { startOtlpCapture } from '../support/otlp-capture.js';
import { CANARY } from './canaries.js';

/** A query token and an API key only the URL and headers carry (the key rules must catch them). */
export const TOKEN = 'tok_canary_Zx81Qw93Lm27';
export const API_KEY = 'key_canary_Pq55Rt66Sv77';

/** Every value the scenario sends that must not leave in clear. */
export const SCENARIO_CANARIES = [...Object.values(CANARY), TOKEN, API_KEY];

export interface ScenarioResult {
  traces: Buffer;
  logs: Buffer;
  contentTypes: string[];
  trail: string;
  /** Requests the app server answered (to prove the calls were made): 2 plus `corpusInUrls`. */
  served: number;
  /** Corpus canaries sent in a URL query. */
  corpusInUrls: number;
}

const ENV = {
  OTEL_RESOURCE_ATTRIBUTES: `deployment.owner=${encodeURIComponent(CANARY.email)}`,
  OTEL_SERVICE_NAME: 'ward-agent',
  OTEL_SEMCONV_STABILITY_OPT_IN: 'http',
  OTEL_LOGS_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_TRACES_EXPORTER: 'none',
};

/**
 * An existing NodeSDK setup with the real HTTP and undici (fetch) instrumentations and tooltrail's processor
 * first, exporting spans and records over OTLP/HTTP to a capture server on 127.0.0.1; the app calls a
 * 127.0.0.1 server with personal data in the URL query and headers, and runs an audited tool with personal
 * data in its arguments, result and error. Returns every byte that left.
 */
export async function runNodeSdkScenario(protocol: 'http/json' | 'http/protobuf'): Promise<ScenarioResult> {
  const capture = await startOtlpCapture();
  const saved = new Map<string, string | undefined>();
  const env: Record<string, string> = {
    ...ENV,
    OTEL_EXPORTER_OTLP_ENDPOINT: capture.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  };
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  const dir = tempDir();
  const audit = setupToolAudit({ trail: { dir }, register: false, exitHooks: false, onError: () => {} });
  const headers = ['authorization', 'x-api-key', 'x-user-email', 'x-note'];
  const sdk = new NodeSDK({
    spanProcessors: [audit.spanProcessor],
    instrumentations: [
      new HttpInstrumentation({
        // The capture server's own requests are not the app's traffic.
        ignoreIncomingRequestHook: (request) => request.url?.startsWith('/v1/') === true,
        headersToSpanAttributes: {
          client: { requestHeaders: headers, responseHeaders: ['x-echo-email'] },
          server: { requestHeaders: headers, responseHeaders: ['x-echo-email'] },
        },
      }),
      new UndiciInstrumentation({
        headersToSpanAttributes: { requestHeaders: headers, responseHeaders: ['x-echo-email'] },
      }),
    ],
  });
  sdk.start();
  // Required after start: the instrumentation patches `http` as it is loaded through require.
  const http = createRequire(import.meta.url)('node:http') as typeof Http;
  let served = 0;
  let corpusInUrls = 0;
  const app = http.createServer((request, response) => {
    served++;
    response.writeHead(200, { 'content-type': 'application/json', 'x-echo-email': CANARY.email });
    response.end(JSON.stringify({ ok: true, url: request.url }));
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const query = `?email=${encodeURIComponent(CANARY.email)}&token=${TOKEN}&note=${encodeURIComponent(`ssn ${CANARY.ssn}`)}`;
  const sent = {
    authorization: CANARY.bearer,
    'x-api-key': API_KEY,
    'x-user-email': CANARY.email,
    'x-note': `card ${CANARY.card}`,
  };
  try {
    await withAuditContext({ userId: 'dr_patel', purpose: 'treatment' }, async () => {
      await new Promise<void>((resolve, reject) => {
        http
          .get(`${base}/patients/lookup${query}`, { headers: sent }, (response) => {
            response.resume();
            response.on('end', resolve);
          })
          .on('error', reject);
      });
      await (await fetch(`${base}/patients/search${query}&access_token=${TOKEN}`, { headers: sent })).text();
      const tool = auditTool('find_patient', async (args: { patient_name: string; note: string }) => {
        if (args.note.includes('fail')) throw new Error(`no chart for ${CANARY.email} (ssn ${CANARY.ssn})`);
        return { mail: CANARY.email, card: CANARY.card };
      });
      await tool({ patient_name: CANARY.name, note: `ssn ${CANARY.ssn}` });
      await tool({ patient_name: CANARY.name, note: `fail ${CANARY.bearer}` }).catch(() => undefined);
      // The PII corpus: every canary through an audited tool's arguments, result or error, and every eighth
      // free-text canary in a URL query of a real request.
      const echo = auditTool('corpus_echo', async (args: { i: number; input: unknown }) => {
        if (args.i % 3 === 2)
          throw new Error(typeof args.input === 'string' ? args.input : JSON.stringify(args.input));
        return { echo: args.input };
      });
      for (const [i, canary] of CANARIES.entries()) {
        await echo({ i, input: canary.input }).catch(() => undefined);
        // In the URL, the values a detector finds on its own; keyed canaries (`password: …`, a header block,
        // `Authorization=Token …`) would nest a structure inside a query value, which the redactor does not parse
        // (they go through auditTool).
        // Forms already percent-encoded are left out: encoding them again makes a triple encoding no client sends.
        if (
          i % 8 === 0 &&
          typeof canary.input === 'string' &&
          !canary.id.includes(':') &&
          !canary.id.startsWith('authorization-') &&
          !canary.input.includes('%')
        ) {
          await (await fetch(`${base}/search?q=${encodeURIComponent(canary.input)}`)).text();
          corpusInUrls++;
        }
      }
      // A span of the app's own code with personal data in its name and a key.
      const span = trace.getTracer('app').startSpan(`notify ${CANARY.email}`);
      span.setAttribute(`recipient.${CANARY.ssn}`, 'x');
      span.end();
    });
    await audit.forceFlush();
    await sdk.shutdown();
    await audit.shutdown();
  } finally {
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await capture.close();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const trail = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('');
  return {
    traces: capture.bytes('/v1/traces'),
    logs: capture.bytes('/v1/logs'),
    contentTypes: [...new Set(capture.requests.map((request) => request.contentType))],
    trail,
    served,
    corpusInUrls,
  };
}
