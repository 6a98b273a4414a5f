import { enableTargets } from '../internal/enable-targets.js';
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
    const modules = [
      {
        subpath: './resources/chat/completions/completions',
        patch: (moduleExports: Record<string, unknown>) => {
          const prototype = (moduleExports.Completions as { prototype?: CompletionsPrototype } | undefined)
            ?.prototype;
          if (!prototype) return false;
          if (patchRunTools(prototype)) this._patched.push(prototype);
          return true;
        },
      },
    ];
    return enableTargets([{ package: 'openai', range: this.supportedVersions, modules }], context);
  }

  /** Restores the original `runTools` in every patched copy. */
  disable(): void {
    for (const prototype of this._patched) unpatchRunTools(prototype);
    this._patched = [];
  }
}

/** The OpenAI SDK instrumentation `registerToolInstrumentations()` enables. */
export const openaiInstrumentation = new OpenAIInstrumentation();
