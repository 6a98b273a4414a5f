/**
 * Canaries for the path tests: values that must never leave the process in clear, in the forms the detectors
 * recognise today. (The redaction engine's own corpus tests forms and encodings; these tests test paths.)
 */
export const CANARY = {
  email: 'carol.canary@example.net',
  ssn: '123-45-6789',
  card: '4111 1111 1111 1111',
  bearer: 'Bearer canaryTOKEN0123456789abcdef',
  name: 'Johanna Q. Testperson',
  reason: 'Johanna collapsed in ward 4B, husband on the phone',
} as const;

/** Each canary and the encodings a wire format may give it (percent-encoded, plus for space, JSON-escaped). */
export function canaryForms(values: readonly string[] = Object.values(CANARY)): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    forms.add(value);
    forms.add(encodeURIComponent(value));
    forms.add(encodeURIComponent(value).replace(/%20/g, '+'));
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  return [...forms];
}

/** The canary forms found in some captured bytes or text (empty when nothing leaked). */
export function leaksIn(captured: Buffer | string, values?: readonly string[]): string[] {
  const haystack = Buffer.isBuffer(captured) ? captured : Buffer.from(captured, 'utf8');
  return canaryForms(values).filter((form) => haystack.includes(Buffer.from(form, 'utf8')));
}
