import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation } from '@opentelemetry/api';
import { getAuditContext, setupToolAudit, type ToolAudit, withAuditContext } from '@tooltrail/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerFromMeta,
  EMERGENCY_DECLARED_BY_CALLER,
  withPropagatedMeta,
} from '../../src/mcp/meta-propagation.js';

const REASON = 'Johanna Testperson collapsed in ward 4B, SSN 123-45-6789, husband on the phone';

let audit: ToolAudit;
// The setup registers the context manager and the W3C trace-context and baggage propagators.
beforeAll(() => {
  audit = setupToolAudit({
    trail: { dir: mkdtempSync(join(tmpdir(), 'tooltrail-meta-')) },
    exitHooks: false,
    onError: () => {},
  } as Parameters<typeof setupToolAudit>[0]);
});
afterAll(() => audit.shutdown());

const forms = (text: string) => [
  text,
  encodeURIComponent(text),
  ...text.split(/[ ,]+/).filter((word) => word.length >= 5),
];

describe('MCP _meta propagation', () => {
  it('sends identifiers and the emergency flag, never the break-the-glass reason', () => {
    const params = withAuditContext(
      { userId: 'dr_patel', purpose: 'treatment', emergency: { reason: REASON } },
      () => withPropagatedMeta({ name: 'lookup' } as { name: string; _meta?: Record<string, unknown> }),
    );
    const wire = JSON.stringify(params);
    for (const form of forms(REASON)) expect(wire).not.toContain(form);
    expect(String(params._meta?.baggage)).toContain('tooltrail.user=dr_patel');
    expect(String(params._meta?.baggage)).toContain('tooltrail.emergency=1');
  });

  it('forwards the application’s own baggage (or a caller’s, from a request header) redacted', () => {
    const baggage = propagation.createBaggage({
      'app.contact': { value: 'carol.canary@example.net' },
      'app.note': { value: 'ssn 512-44-7788' },
      'app.tenant': { value: 'acme' },
    });
    const params = context.with(propagation.setBaggage(context.active(), baggage), () =>
      withAuditContext({ userId: 'dr_patel' }, () =>
        withPropagatedMeta({ name: 'lookup' } as { name: string; _meta?: Record<string, unknown> }),
      ),
    );
    const wire = decodeURIComponent(String(params._meta?.baggage));
    expect(wire).not.toContain('carol.canary');
    expect(wire).not.toContain('512-44-7788');
    expect(wire).toContain('app.tenant=acme');
    expect(wire).toContain('app.contact=[REDACTED:email]');
    expect(wire).toContain('tooltrail.user=dr_patel');
  });

  it('a server records the emergency flag with a pointer to the caller, not the wire text', () => {
    const sent = withAuditContext({ userId: 'dr_patel', emergency: { reason: REASON } }, () =>
      withPropagatedMeta({} as { _meta?: Record<string, unknown> }),
    );
    expect(callerFromMeta(sent._meta).claimed.emergency).toEqual({ reason: EMERGENCY_DECLARED_BY_CALLER });
    // An older client that still sends the reason: the server keeps only the flag.
    const old = callerFromMeta({ baggage: `tooltrail.emergency=${encodeURIComponent(REASON)}` });
    expect(old.claimed.emergency).toEqual({ reason: EMERGENCY_DECLARED_BY_CALLER });
    expect(getAuditContext().emergency).toBeUndefined();
  });
});
