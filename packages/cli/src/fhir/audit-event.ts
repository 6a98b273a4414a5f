/**
 * Maps tooltrail tool-call records to FHIR R4 AuditEvent resources (see docs/fhir-mapping.md). Plain objects:
 * no FHIR library at run time.
 */
import { callFacts } from '../report/one-record-per-call.js';

export const TOOLTRAIL_SYSTEM = {
  eventType: 'urn:tooltrail:fhir:event-type',
  tool: 'urn:tooltrail:fhir:tool',
  role: 'urn:tooltrail:fhir:role',
  user: 'urn:tooltrail:user',
  model: 'urn:tooltrail:model',
  chain: 'urn:tooltrail:chain',
  record: 'urn:tooltrail:record',
  subject: 'urn:tooltrail:subject',
  purpose: 'urn:tooltrail:purpose',
  mcpServer: 'urn:tooltrail:mcp-server',
  mcpClient: 'urn:tooltrail:mcp-client',
} as const;

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const SECURITY_ROLE = 'http://terminology.hl7.org/CodeSystem/extra-security-role-type';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';

export type FhirAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** First word of the tool name → action. Anything else is E (execute). */
export const VERB_ACTIONS: Readonly<Record<string, FhirAction>> = {
  read: 'R',
  lookup: 'R',
  access: 'R',
  get: 'R',
  search: 'R',
  find: 'R',
  list: 'R',
  view: 'R',
  fetch: 'R',
  query: 'R',
  update: 'U',
  set: 'U',
  modify: 'U',
  edit: 'U',
  patch: 'U',
  create: 'C',
  schedule: 'C',
  add: 'C',
  insert: 'C',
  book: 'C',
  delete: 'D',
  remove: 'D',
  purge: 'D',
};

/** tooltrail purpose → v3-ActReason code. */
export const PURPOSE_CODES: Readonly<Record<string, { code: string; display: string }>> = {
  treatment: { code: 'TREAT', display: 'treatment' },
  payment: { code: 'HPAYMT', display: 'healthcare payment' },
  operations: { code: 'HOPERAT', display: 'healthcare operations' },
  emergency: { code: 'ETREAT', display: 'Emergency Treatment' },
  emergency_treatment: { code: 'ETREAT', display: 'Emergency Treatment' },
  'break-the-glass': { code: 'ETREAT', display: 'Emergency Treatment' },
  break_the_glass: { code: 'ETREAT', display: 'Emergency Treatment' },
  btg: { code: 'ETREAT', display: 'Emergency Treatment' },
};

/** Errors that say "try again" are minor failures (4); every other failure is serious (8). */
const TRANSIENT = /timeout|timed out|temporar|unavailable|rate.?limit|too many requests|ECONNRESET|EAGAIN/i;

/** Splits `access_patient_record`, `getPatient`, `book-slot` into lowercase words. */
function toolWords(tool: string): string[] {
  return tool
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

export function actionFor(tool: string, overrides: Readonly<Record<string, FhirAction>> = {}): FhirAction {
  const override = overrides[tool];
  if (override) return override;
  const verb = toolWords(tool)[0] ?? '';
  return VERB_ACTIONS[verb] ?? 'E';
}

export function outcomeFor(record: Record<string, unknown>): '0' | '4' | '8' {
  if (record.success === true) return '0';
  const error = record.error as { type?: unknown; message?: unknown } | null | undefined;
  const text = `${String(error?.type ?? '')} ${String(error?.message ?? '')}`;
  return TRANSIENT.test(text) ? '4' : '8';
}

interface CodeableConcept {
  coding?: Array<{ system: string; code: string; display?: string }>;
  text?: string;
}

export function purposeOfEventFor(record: Record<string, unknown>): CodeableConcept[] {
  const purposes: CodeableConcept[] = [];
  const purpose = typeof record.purpose === 'string' && record.purpose !== '' ? record.purpose : undefined;
  if (purpose) {
    const known = PURPOSE_CODES[purpose.toLowerCase()];
    purposes.push(known ? { coding: [{ system: ACT_REASON, ...known }], text: purpose } : { text: purpose });
  }
  if (record.emergency === true) {
    const reason = typeof record.emergency_reason === 'string' ? record.emergency_reason : 'no reason given';
    const note = `break-the-glass access: ${reason}`;
    const etreat = purposes.find((concept) => concept.coding?.some((coding) => coding.code === 'ETREAT'));
    if (etreat) etreat.text = note;
    else
      purposes.push({
        coding: [{ system: ACT_REASON, code: 'ETREAT', display: 'Emergency Treatment' }],
        text: note,
      });
  }
  return purposes;
}

/** FHIR ids: [A-Za-z0-9\-.]{1,64}. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

function subjectEntity(subject: string): Record<string, unknown> {
  const at = subject.indexOf(':');
  const kind = at > 0 ? subject.slice(0, at) : '';
  const id = at > 0 ? subject.slice(at + 1) : subject;
  if (kind === 'patient') {
    return {
      what: FHIR_ID.test(id)
        ? { reference: `Patient/${id}` }
        : { identifier: { system: `${TOOLTRAIL_SYSTEM.subject}:patient`, value: id } },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
      name: subject,
    };
  }
  return {
    what: { identifier: { system: TOOLTRAIL_SYSTEM.subject, value: subject } },
    type: { system: ENTITY_TYPE, code: '4', display: 'Other' },
    name: subject,
  };
}

function detail(type: string, value: unknown): { type: string; valueString: string } | undefined {
  if (value === null || value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === '' ? undefined : { type, valueString: text };
}

function isoPlusMs(ts: string, ms: unknown): string | undefined {
  const start = Date.parse(ts);
  if (!Number.isFinite(start) || typeof ms !== 'number' || !Number.isFinite(ms)) return undefined;
  return new Date(start + Math.round(ms)).toISOString();
}

export interface MapOptions {
  actions?: Readonly<Record<string, FhirAction>>;
  /** source.observer display: the service that made the calls. @default 'tooltrail' */
  observer?: string;
}

/**
 * One tool call → one AuditEvent. `serverSide` is the MCP server's record of the same call when `record` is the
 * client's (both sides audited): it adds a record entity, and fills the subject, user, role, purpose and
 * break-the-glass flag when only it has them.
 */
export function toAuditEvent(
  record: Record<string, unknown>,
  options: MapOptions = {},
  serverSide?: Record<string, unknown>,
): Record<string, unknown> {
  const facts = callFacts({ record, serverSide });
  const tool = String(record.tool ?? 'unknown');
  const ts = String(record.ts);
  const subject = typeof facts.subject === 'string' && facts.subject !== '' ? facts.subject : undefined;
  const patient = subject?.startsWith('patient:') === true;
  const user = typeof facts.user === 'string' && facts.user !== '' ? facts.user : undefined;
  const role = typeof facts.role === 'string' && facts.role !== '' ? facts.role : undefined;
  const model = typeof record.model === 'string' && record.model !== '' ? record.model : undefined;
  const purposes = purposeOfEventFor(facts);
  // The server is where the tool ran: when it completed a call the client saw fail (a timeout on the way
  // back), the access happened.
  const completedRemotely = serverSide?.success === true && record.success !== true;
  const clientError = record.error as { type?: unknown; message?: unknown } | null | undefined;
  const error = completedRemotely ? null : clientError;
  const end = isoPlusMs(ts, record.duration_ms);

  const requestor: Record<string, unknown> = {
    type: { coding: [{ system: SECURITY_ROLE, code: 'humanuser', display: 'human user' }] },
    who: user
      ? { identifier: { system: TOOLTRAIL_SYSTEM.user, value: user }, display: user }
      : { display: 'unknown user (none in the audit context)' },
    requestor: true,
  };
  if (user) requestor.altId = user;
  if (role) requestor.role = [{ coding: [{ system: TOOLTRAIL_SYSTEM.role, code: role }], text: role }];
  if (purposes.length > 0) requestor.purposeOfUse = purposes;

  const agentModel = {
    type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
    who: model
      ? { identifier: { system: TOOLTRAIL_SYSTEM.model, value: model }, display: model }
      : { display: 'unknown model' },
    name: model ?? 'unknown model',
    requestor: false,
  };

  const chain = String(record.chain);
  const side = serverSide ? ' (MCP client side of this call)' : '';
  const recordEntity = toRecordEntity(record, side);
  const event: Record<string, unknown> = {
    resourceType: 'AuditEvent',
    id: typeof record.hash === 'string' && FHIR_ID.test(record.hash) ? record.hash : undefined,
    type: patient
      ? { system: DCM, code: '110110', display: 'Patient Record' }
      : { system: TOOLTRAIL_SYSTEM.eventType, code: 'tool_call', display: 'AI agent tool call' },
    subtype: [{ system: TOOLTRAIL_SYSTEM.tool, code: tool, display: tool }],
    action: actionFor(tool, options.actions),
    period: end ? { start: ts, end } : undefined,
    recorded: ts,
    outcome: outcomeFor(completedRemotely ? serverSide : record),
    outcomeDesc: completedRemotely
      ? `the MCP server completed the call; the client saw ${errorText(clientError)}`
      : error
        ? errorText(error)
        : undefined,
    purposeOfEvent: purposes.length > 0 ? purposes : undefined,
    agent: [requestor, agentModel, ...mcpPeerAgent(record)],
    source: {
      site: chain,
      observer: {
        identifier: { system: TOOLTRAIL_SYSTEM.chain, value: chain },
        display: options.observer ?? 'tooltrail',
      },
      type: [{ system: SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: [
      ...(subject ? [subjectEntity(subject)] : []),
      ...(serverSide ? [toRecordEntity(serverSide, ' (MCP server side of this call)')] : []),
      recordEntity,
    ],
  };
  for (const key of Object.keys(event)) if (event[key] === undefined) delete event[key];
  return event;
}

function errorText(error: { type?: unknown; message?: unknown } | null | undefined): string {
  return `${String(error?.type ?? 'Error')}: ${String(error?.message ?? '')}`.replace(/: $/, '');
}

/** The other end of an MCP call: the server a client record called, or the client a server record answered. */
function mcpPeerAgent(record: Record<string, unknown>): Array<Record<string, unknown>> {
  const peer = (value: unknown, kind: 'server' | 'client') => {
    const name = typeof value === 'string' && value !== '' ? value : undefined;
    const display = `MCP ${kind} ${name ?? '(unnamed)'}`;
    return {
      type: {
        coding: [
          kind === 'server'
            ? { system: DCM, code: '110152', display: 'Destination Role ID' }
            : { system: DCM, code: '110153', display: 'Source Role ID' },
        ],
      },
      who: name
        ? {
            identifier: {
              system: kind === 'server' ? TOOLTRAIL_SYSTEM.mcpServer : TOOLTRAIL_SYSTEM.mcpClient,
              value: name,
            },
            display,
          }
        : { display },
      name: display,
      requestor: false,
    };
  };
  if (record.mcp_server !== undefined) return [peer(record.mcp_server, 'server')];
  if (record.mcp_client !== undefined) return [peer(record.mcp_client, 'client')];
  return [];
}

/** The entity pointing to a verifiable record: chain, seq, hash and what the record says. */
function toRecordEntity(record: Record<string, unknown>, note = ''): Record<string, unknown> {
  const chain = String(record.chain);
  const details = [
    detail('args', record.args),
    detail('result', record.result),
    detail('chain', chain),
    detail('seq', record.seq),
    detail('hash', record.hash),
    detail('prev', record.prev),
    detail('trace_id', record.trace_id),
    detail('span_id', record.span_id),
    detail('call_id', record.call_id),
    detail('conversation', record.conversation),
    detail('turn', record.turn),
    detail('trigger', record.trigger),
    detail('retention', record.retention),
    detail('duration_ms', record.duration_ms),
    detail('success', record.success),
    detail('mcp_server', record.mcp_server),
    detail('mcp_client', record.mcp_client),
    record.emergency === true
      ? detail('emergency_reason', record.emergency_reason ?? 'no reason given')
      : undefined,
  ].filter((item) => item !== undefined);
  return {
    what: { identifier: { system: TOOLTRAIL_SYSTEM.record, value: `${chain}:${String(record.seq)}` } },
    type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
    role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    name: String(record.tool ?? 'unknown'),
    description: `tooltrail ${String(record.type)} record ${chain} seq ${String(record.seq)}${note}`,
    detail: details,
  };
}

/** `urn:uuid:` from the record hash: the same record always gets the same fullUrl. */
export function fullUrlFor(hash: string): string {
  const hex = hash.padEnd(32, '0').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function toBundle(events: Array<Record<string, unknown>>, timestamp: string): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp,
    entry: events.map((resource) => ({
      fullUrl: fullUrlFor(String(resource.id ?? '')),
      resource,
    })),
  };
}
