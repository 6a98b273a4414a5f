// Redaction throughput: Redactor.redactValue over a ~10 KB nested payload with mixed PII.
import { QUICK, ROUNDS } from '../lib/options.mjs';
import { mb, median, round } from '../lib/stats.mjs';

/** A ~10 KB nested payload, ~50 keys, mixed PII (emails, phones, SSNs, cards, IBAN, tokens) and plain text. */
function redactionPayload() {
  const sentence = (i) =>
    `Visit ${i}: patient reports improved sleep, BP ${118 + i}/79, discussed adherence and diet; ` +
    `follow-up by phone +1 415 555 01${10 + i} or e-mail jane.doe${i}@example.org, no adverse events noted. `;
  const visit = (i) => ({
    visitId: `v-${i}`,
    date: `2026-11-0${i + 1}`,
    notes: Array.from({ length: 10 }, (_, j) => sentence(i * 10 + j)).join(''),
    clinician: { name: 'Dr. Rivera', contact: 'rivera@clinic.example, +1 (212) 555-0199' },
    vitals: { systolic: 120 + i, diastolic: 80, pulse: 61 },
  });
  return {
    patient: {
      name: 'Jane Doe',
      ssn: '123-45-6789',
      dob: '1980-04-12',
      address: { street: '1 Main St', city: 'Springfield', zip: '01101' },
      contact: { email: 'jane.doe@example.org', phone: '+1 415 555 0100' },
    },
    billing: {
      card: '4111 1111 1111 1111',
      iban: 'DE89 3704 0044 0532 0130 00',
      memo: 'card 4111-1111-1111-1111 on file, call +44 20 7946 0958, SSN 123-45-6789 verified',
    },
    auth: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2ln' },
    visits: Array.from({ length: 3 }, (_, i) => visit(i)),
    summary: Array.from({ length: 20 }, (_, i) => sentence(100 + i)).join(''),
  };
}

function countKeys(value) {
  if (Array.isArray(value)) return value.reduce((n, item) => n + countKeys(item), 0);
  if (value && typeof value === 'object')
    return Object.values(value).reduce((n, item) => n + 1 + countKeys(item), 0);
  return 0;
}

/** MB/s of redactValue over the payload, median of ROUNDS rounds after a warm-up. */
async function redaction() {
  const { Redactor } = await import('@tooltrail/core/internal');
  const redactor = new Redactor();
  const payload = redactionPayload();
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  const iterations = QUICK ? 500 : 2000;
  for (let i = 0; i < iterations; i++) redactor.redactValue(payload);
  const rates = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) redactor.redactValue(payload);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(mb(bytes * iterations) / seconds);
  }
  return { mbPerS: median(rates), payloadBytes: bytes, keys: countKeys(payload) };
}

/** Runs the redact scenario into `out` and `rows`. */
export async function redactScenario({ out, rows }) {
  const r = await redaction();
  out.redact_mb_per_s = round(r.mbPerS, 1);
  rows.push(['redaction, MB/s', round(r.mbPerS, 1), `${r.payloadBytes} B payload, ${r.keys} keys; ≥ 100`]);
}
