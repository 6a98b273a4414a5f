import { withAuditContext } from '@tooltrail/core';
import { tools } from './tools.mjs';

const MODEL = 'scripted-clinical-model-v1';

/** One user turn: the scripted "model" decides which tools to call, in order. */
function turn(attribution, turnNumber, steps) {
  return withAuditContext({ ...attribution, turn: turnNumber, model: MODEL }, async () => {
    const outcomes = [];
    for (const step of steps) {
      const run = () => step(outcomes);
      try {
        outcomes.push({ ok: true, value: await run() });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  });
}

const as = (trigger, fn) => (outcomes) => withAuditContext({ trigger }, () => fn(outcomes));

/** The scripted conversations; `runId` keeps each demo run's conversation ids apart. */
export function conversations(runId) {
  const physician = {
    userId: 'dr_chen',
    userRole: 'physician',
    purpose: 'treatment',
    session: { client_ip: '10.0.1.5', user_agent: 'ClinicDesk/4.2' },
  };
  const nurse = {
    userId: 'nurse_ortiz',
    userRole: 'nurse',
    purpose: 'treatment',
    session: { client_ip: '10.0.1.9', user_agent: 'WardTablet/1.7' },
  };
  const billing = {
    userId: 'billing_kim',
    userRole: 'billing',
    purpose: 'payment',
    session: { client_ip: '10.0.2.3', user_agent: 'BillingPortal/3.0' },
  };
  const er = { userId: 'dr_patel', userRole: 'physician', purpose: 'emergency_treatment' };

  return {
    [`conv_${runId}_physician`]: async (id) => {
      const who = { ...physician, conversationId: id };
      const [found] = await turn(who, 1, [
        () => tools.lookup_patient({ patient_name: 'Jane Roe', date_of_birth: '1984-03-12' }),
      ]);
      const patient_id = found.value.patient_id;
      await turn(who, 2, [
        () => tools.access_patient_record({ patient_id }),
        // The model, unprompted, books the follow-up the chart calls for.
        as('proactive', () =>
          tools.schedule_appointment({ patient_id, phone: '(555) 014-2233', when: '2026-12-03T09:30' }),
        ),
      ]);
      await turn(who, 3, [
        () =>
          tools.update_treatment({ patient_id, treatment: 'metformin 1000mg', prescriber_role: 'physician' }),
      ]);
    },

    [`conv_${runId}_nurse`]: async (id) => {
      const who = { ...nurse, conversationId: id };
      await turn(who, 1, [
        () => tools.access_patient_record({ patient_id: 'P-1002' }),
        () =>
          tools.update_treatment({
            patient_id: 'P-1002',
            treatment: 'amoxicillin 250mg',
            prescriber_role: 'nurse',
          }),
        // Completing the workflow after the refusal: flag the chart for the physician.
        as('follow_up', () =>
          tools.schedule_appointment({
            patient_id: 'P-1002',
            phone: '(555) 019-7788',
            when: '2026-12-04T14:00',
          }),
        ),
      ]);
    },

    [`conv_${runId}_billing`]: async (id) => {
      const who = { ...billing, conversationId: id };
      const charge = { patient_id: 'P-1001', card_number: '4111 1111 1111 1111', amount_cents: 12500 };
      await turn(who, 1, [
        () => tools.charge_payment(charge),
        // The gateway timed out: the model retries once.
        as('retry', () => tools.charge_payment(charge)),
      ]);
      await turn(who, 2, [
        () => tools.issue_refund({ payment_id: 'PAY-7731', amount_cents: 2500, reason: 'duplicate co-pay' }),
      ]);
    },

    [`conv_${runId}_emergency`]: async (id) => {
      const who = {
        ...er,
        conversationId: id,
        emergency: { reason: 'unconscious patient in ER, no consent possible' },
      };
      await turn(who, 1, [() => tools.access_patient_record({ patient_id: 'P-1001' })]);
    },
  };
}
