// The medical-records tools as a real MCP server (stdio). No tooltrail code: started with
// `node --import @tooltrail/instrumentation/register`, which audits every tools/call it executes, attributed
// to the user the calling agent sent in `_meta`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { PATIENTS } from '../records-db.mjs';

let gatewayFailures = 1;

function requirePatient(patientId) {
  const patient = PATIENTS[patientId];
  if (!patient) throw new Error(`no patient ${patientId}`);
  return patient;
}

const handlers = {
  lookup_patient: {
    description: 'Find a patient by name and date of birth',
    input: { patient_name: z.string(), date_of_birth: z.string() },
    run: ({ patient_name, date_of_birth }) => {
      const match = Object.values(PATIENTS).find(
        (p) => p.patient_name === patient_name && p.date_of_birth === date_of_birth,
      );
      if (!match) throw new Error(`no patient named ${patient_name} born ${date_of_birth}`);
      return { patient_id: match.patient_id, status: 'found' };
    },
  },
  access_patient_record: {
    description: "Open a patient's chart",
    input: { patient_id: z.string() },
    run: ({ patient_id }) => ({ ...requirePatient(patient_id), status: 'ok' }),
  },
  update_treatment: {
    description: 'Add a treatment to the chart',
    input: { patient_id: z.string(), treatment: z.string(), prescriber_role: z.string() },
    run: ({ patient_id, treatment, prescriber_role }) => {
      const patient = requirePatient(patient_id);
      if (prescriber_role !== 'physician')
        throw new Error(`role ${prescriber_role} may not prescribe for ${patient_id} (SSN ${patient.ssn})`);
      patient.treatments.push(treatment);
      return { patient_id, status: 'updated', count: patient.treatments.length };
    },
  },
  schedule_appointment: {
    description: 'Book a follow-up visit',
    input: { patient_id: z.string(), phone: z.string(), when: z.string() },
    run: ({ patient_id, phone, when }) => {
      requirePatient(patient_id);
      const appointment_id = `A-${when.replace(/\D/g, '').slice(0, 8)}`;
      return { appointment_id, patient_id, status: 'booked', confirmation_sent_to: phone };
    },
  },
  charge_payment: {
    description: 'Charge the card on file',
    input: { patient_id: z.string(), card_number: z.string(), amount_cents: z.number() },
    run: ({ patient_id, card_number, amount_cents }) => {
      requirePatient(patient_id);
      if (gatewayFailures-- > 0) throw new Error(`payment gateway timeout charging card ${card_number}`);
      return { payment_id: 'PAY-7731', patient_id, status: 'captured', amount_cents };
    },
  },
  issue_refund: {
    description: 'Refund a payment',
    input: { payment_id: z.string(), amount_cents: z.number(), reason: z.string() },
    run: ({ payment_id, amount_cents, reason }) => ({
      refund_id: 'RF-2209',
      payment_id,
      amount_cents,
      status: 'refunded',
      reason,
    }),
  },
};

const server = new McpServer({ name: 'medical-records', version: '1.0.0' });
for (const [name, tool] of Object.entries(handlers)) {
  server.registerTool(name, { description: tool.description, inputSchema: tool.input }, async (args) => ({
    content: [{ type: 'text', text: JSON.stringify(tool.run(args)) }],
  }));
}
await server.connect(new StdioServerTransport());
