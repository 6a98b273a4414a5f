import { findPackage } from '../internal/find-package.js';
import { patchModuleCopies } from '../internal/patch-module-copies.js';
import { inSupportedRange } from '../internal/version-check.js';
import type { EnableContext, EnableResult, ToolInstrumentation } from '../types.js';
import type { CompletionsPrototype } from './wrap-run-tools.js';
import { patchRunTools, unpatchRunTools } from './wrap-run-tools.js';

export const OPENAI_SUPPORTED_VERSIONS = '>=6.0.0 <8';

/** Audits the functions `chat.completions.runTools()` executes, in both module copies of `openai`. */
export class OpenAIInstrumentation implements ToolInstrumentation {
  readonly name = 'openai' as const;
  readonly packages = ['openai'];
  readonly supportedVersions = OPENAI_SUPPORTED_VERSIONS;
  private _patched: CompletionsPrototype[] = [];

  async enable(context: EnableContext): Promise<EnableResult> {
    const found = findPackage('openai', context.resolveFrom);
    if (!found) return { patched: [], skipped: [] };
    const id = `openai@${found.version}`;
    if (!inSupportedRange(found, this.supportedVersions, context.log))
      return { patched: [], skipped: [`${id}: outside ${this.supportedVersions}`] };
    const copies = await patchModuleCopies(
      found,
      './resources/chat/completions/completions',
      (completions) => {
        const prototype = (completions.Completions as { prototype?: CompletionsPrototype } | undefined)
          ?.prototype;
        if (!prototype) return false;
        if (patchRunTools(prototype)) this._patched.push(prototype);
        return true;
      },
      context.log,
    );
    return copies > 0
      ? { patched: [id], skipped: [] }
      : { patched: [], skipped: [`${id}: Completions not found`] };
  }

  /** Restores the original `runTools` in every patched copy. */
  disable(): void {
    for (const prototype of this._patched) unpatchRunTools(prototype);
    this._patched = [];
  }
}

/** The OpenAI SDK instrumentation `registerToolInstrumentations()` enables. */
export const openaiInstrumentation = new OpenAIInstrumentation();
