/** A String wrapper object: a property lookup through it starts at `String.prototype`. */
const WRAPPER = Object('') as string;

function loadThroughWrapper(): unknown {
  return WRAPPER.charCodeAt;
}

/**
 * Keeps `String.prototype` in V8's fast mode, on which the redaction's speed rests: the detectors' `charCodeAt`,
 * `slice`, `includes` and `indexOf` are inlined only then. A library that calls `Object.create(String.prototype)`
 * — nunjucks does at import, for its `SafeString`, and OpenLLMetry's SDK loads nunjucks — turns
 * `String.prototype` into a dictionary-mode object, and it stays one while only primitive strings use it:
 * redaction then runs at about 60 % of its speed (every string-heavy function in the process slows down too).
 * V8 turns a prototype fast again when a property load through an object (here a String wrapper) misses its
 * inline cache, and keeps it fast after a later `Object.create`. Such a load has an inline cache only once its
 * function has feedback, after a few calls: hence the loop. Nothing observable changes (no property is written,
 * none is read that any code can see). Called by each Redactor's constructor (one per setup); costs some 20 µs.
 */
export function keepStringMethodsFast(): void {
  for (let i = 0; i < 64; i++) loadThroughWrapper();
}
