import { findPackage } from '../internal/find-package.js';
import { patchModuleCopies } from '../internal/patch-module-copies.js';
import { inSupportedRange } from '../internal/version-check.js';
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
    const found = findPackage('@langchain/core', context.resolveFrom);
    if (!found) return { patched: [], skipped: [] };
    const id = `@langchain/core@${found.version}`;
    if (!inSupportedRange(found, this.supportedVersions, context.log))
      return { patched: [], skipped: [`${id}: outside ${this.supportedVersions}`] };
    const copies = await patchModuleCopies(
      found,
      './tools',
      (tools) => {
        const prototype = (tools.StructuredTool as { prototype?: StructuredToolPrototype } | undefined)
          ?.prototype;
        if (!prototype) return false;
        if (patchStructuredTool(prototype)) this._patched.push(prototype);
        return true;
      },
      context.log,
    );
    return copies > 0
      ? { patched: [id], skipped: [] }
      : { patched: [], skipped: [`${id}: StructuredTool not found`] };
  }

  /** Restores the original `call` in every patched copy. */
  disable(): void {
    for (const prototype of this._patched) unpatchStructuredTool(prototype);
    this._patched = [];
  }
}

/** The LangChain.js instrumentation `registerToolInstrumentations()` enables. */
export const langchainInstrumentation = new LangChainInstrumentation();
