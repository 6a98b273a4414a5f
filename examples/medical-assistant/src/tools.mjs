import { auditTool } from '@tooltrail/core';
import { PATIENTS } from './records-db.mjs';

const subject = (args) => (args?.patient_id ? `patient:${args.patient_id}` : undefined);
let gatewayFailures = 1;

function requirePatient(patientId) {
  const patient = PATIENTS[patientId];
  if (!patient) throw new Error(`no patient ${patientId}`);
  return patient;
}

/** The assistant's tools, each wrapped once with auditTool: same signature, same behaviour, audited. */
export const tools = {
  lookup_patient: auditTool(
    'lookup_patient',
    async ({ patient_name, date_of_birth }) => {
      const match = Object.values(PATIENTS).find(
        (p) => p.patient_name === patient_name && p.date_of_birth === date_of_birth,
      );
      if (!match) throw new Error(`no patient named ${patient_name} born ${date_of_birth}`);
      return { patient_id: match.patient_id, status: 'found' };
    },
    { description: 'Find a patient by name and date of birth' },
  ),

  access_patient_record: auditTool(
    'access_patient_record',
    async ({ patient_id }) => ({ ...requirePatient(patient_id), status: 'ok' }),
    { description: "Open a patient's chart", subject },
  ),

  update_treatment: auditTool(
    'update_treatment',
    async ({ patient_id, treatment, prescriber_role }) => {
      const patient = requirePatient(patient_id);
      if (prescriber_role !== 'physician') {
        // The message quotes the SSN: value detectors catch it in free text (names in prose they cannot).
        throw new Error(`role ${prescriber_role} may not prescribe for ${patient_id} (SSN ${patient.ssn})`);
      }
      patient.treatments.push(treatment);
      return { patient_id, status: 'updated', count: patient.treatments.length };
    },
    { description: 'Add a treatment to the chart', subject },
  ),

  schedule_appointment: auditTool(
    'schedule_appointment',
    ({ patient_id, phone, when }) => {
      requirePatient(patient_id);
      return {
        appointment_id: `A-${when.replace(/\D/g, '').slice(0, 8)}`,
        patient_id,
        status: 'booked',
        confirmation_sent_to: phone,
      };
    },
    { description: 'Book a follow-up visit (synchronous tool)', subject },
  ),

  charge_payment: auditTool(
    'charge_payment',
    async ({ patient_id, card_number, amount_cents }) => {
      requirePatient(patient_id);
      if (gatewayFailures-- > 0)
        throw Object.assign(new Error(`payment gateway timeout charging card ${card_number}`), {
          name: 'GatewayTimeout',
        });
      return { payment_id: 'PAY-7731', patient_id, status: 'captured', amount_cents };
    },
    { description: 'Charge the card on file', subject },
  ),

  issue_refund: auditTool(
    'issue_refund',
    async ({ payment_id, amount_cents, reason }) => ({
      refund_id: 'RF-2209',
      payment_id,
      amount_cents,
      status: 'refunded',
      reason,
    }),
    { description: 'Refund a payment' },
  ),
};
