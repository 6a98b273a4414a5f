import { enableTargets } from '../internal/enable-targets.js';
import type { EnableContext, EnableResult, ToolInstrumentation } from '../types.js';
import type { StructuredToolPrototype } from './patch-structured-tool.js';
import { patchStructuredTool, unpatchStructuredTool } from './patch-structured-tool.js';

export const LANGCHAIN_SUPPORTED_VERSIONS = '>=1.0.0 <2';

/** Audits LangChain.js tool calls by wrapping `StructuredTool.prototype.call` in both module copies. */
export class LangChainInstrumentation implements ToolInstrumentation {
  readonly name = 'langchain' as const;
  readonly packages = ['@langchain/core'];
  readonly supportedVersions = LANGCHAIN_SUPPORTED_VERSIONS;
  private _patched: StructuredToolPrototype[] = [];

  async enable(context: EnableContext): Promise<EnableResult> {
    const modules = [
      {
        subpath: './tools',
        patch: (moduleExports: Record<string, unknown>) => {
          const prototype = (
            moduleExports.StructuredTool as { prototype?: StructuredToolPrototype } | undefined
          )?.prototype;
          if (!prototype) return false;
          if (patchStructuredTool(prototype)) this._patched.push(prototype);
          return true;
        },
      },
    ];
    return enableTargets([{ package: '@langchain/core', range: this.supportedVersions, modules }], context);
  }

  /** Restores the original `call` in every patched copy. */
  disable(): void {
    for (const prototype of this._patched) unpatchStructuredTool(prototype);
    this._patched = [];
  }
}

/** The LangChain.js instrumentation `registerToolInstrumentations()` enables. */
export const langchainInstrumentation = new LangChainInstrumentation();
