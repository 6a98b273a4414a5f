/** An in-memory patient database full of the PII an audit trail must never hold in clear text. */
export const PATIENTS = {
  'P-1001': {
    patient_id: 'P-1001',
    patient_name: 'Jane Roe',
    date_of_birth: '1984-03-12',
    ssn: '123-45-6789',
    phone: '(555) 014-2233',
    email: 'jane.roe@example.org',
    address: '12 Elm Street, Springfield',
    allergies: ['penicillin'],
    treatments: ['metformin 500mg'],
  },
  'P-1002': {
    patient_id: 'P-1002',
    patient_name: 'John Doe',
    date_of_birth: '1971-11-02',
    ssn: '987-65-4321',
    phone: '(555) 019-7788',
    email: 'john.doe@example.org',
    address: '99 Oak Avenue, Springfield',
    allergies: [],
    treatments: ['lisinopril 10mg'],
  },
};

/** Every clear-text PII value above: the leak canaries tests search for. */
export const PII_CANARIES = Object.values(PATIENTS)
  .flatMap((patient) => [
    patient.patient_name,
    patient.date_of_birth,
    patient.ssn,
    patient.phone,
    patient.email,
    patient.address,
  ])
  .concat(['4111 1111 1111 1111', '4111111111111111']);
