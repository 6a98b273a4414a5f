import type { RetentionClass, RetentionOptions } from '../types.js';

/** The default retention policy: financial 7 years, healthcare 6, everything else 1. */
export const DEFAULT_RETENTION_CLASSES: Readonly<Record<string, RetentionClass>> = {
  financial: { days: 2555 },
  healthcare: { days: 2190 },
  general: { days: 365 },
};

export const DEFAULT_RETENTION_TOOLS: Readonly<Record<string, string>> = {
  charge_payment: 'financial',
  issue_refund: 'financial',
  apply_credit: 'financial',
  access_patient_record: 'healthcare',
  update_treatment: 'healthcare',
};

/** Resolves a tool's retention class; validated once at construction. */
export class RetentionPolicy {
  readonly classes: Readonly<Record<string, RetentionClass>>;
  private readonly _tools: Readonly<Record<string, string>>;
  private readonly _defaultClass: string;

  constructor(options: RetentionOptions = {}) {
    this.classes = { ...DEFAULT_RETENTION_CLASSES, ...options.classes };
    this._tools = { ...DEFAULT_RETENTION_TOOLS, ...options.tools };
    this._defaultClass = options.defaultClass ?? 'general';
    for (const [name, retention] of Object.entries(this.classes)) {
      if (!Number.isInteger(retention?.days) || retention.days < 1) {
        throw new Error(
          `tooltrail: retention class ${JSON.stringify(name)} needs an integer number of days >= 1`,
        );
      }
    }
    for (const [tool, name] of Object.entries(this._tools)) this._check(name, `tool ${JSON.stringify(tool)}`);
    this._check(this._defaultClass, 'defaultClass');
  }

  classFor(tool: string, override?: string): string {
    if (override !== undefined && this.classes[override]) return override;
    return this._tools[tool] ?? this._defaultClass;
  }

  private _check(name: string, where: string): void {
    if (!this.classes[name]) {
      throw new Error(
        `tooltrail: retention ${where} names unknown class ${JSON.stringify(name)}; known: ${Object.keys(this.classes).join(', ')}`,
      );
    }
  }
}
