import { enableTargets } from '../internal/enable-targets.js';
import { findPackage } from '../internal/find-package.js';
import { importFile, requireEsm, requireFile } from '../internal/load-module.js';
import { resolveExport } from '../internal/resolve-export.js';
import { inSupportedRange } from '../internal/version-check.js';
import type { EnableContext, EnableResult, FoundPackage, ToolInstrumentation } from '../types.js';
import { AuditTraceProcessor } from './audit-trace-processor.js';
import { patchAgentTools } from './wrap-function-tools.js';

export const OPENAI_AGENTS_SUPPORTED_VERSIONS = '>=0.14.0 <1';

const REGISTERED = Symbol.for('tooltrail.openai-agents.processor');
type Holder = { [REGISTERED]?: AuditTraceProcessor };
type AddTraceProcessor = (processor: unknown) => void;

/**
 * Audits OpenAI Agents SDK function tool calls with a trace processor added beside the SDK's own
 * (`addTraceProcessor`). The SDK keeps one trace provider per process, so one registration covers ESM and CJS.
 */
export class OpenAIAgentsInstrumentation implements ToolInstrumentation {
  readonly name = 'openai-agents' as const;
  readonly packages = ['@openai/agents', '@openai/agents-core'];
  readonly supportedVersions = OPENAI_AGENTS_SUPPORTED_VERSIONS;

  async enable(context: EnableContext): Promise<EnableResult> {
    const found =
      findPackage('@openai/agents', context.resolveFrom) ??
      findPackage('@openai/agents-core', context.resolveFrom);
    if (!found) return { patched: [], skipped: [] };
    const id = `${found.name}@${found.version}`;
    if (!inSupportedRange(found, this.supportedVersions, context.log))
      return { patched: [], skipped: [`${id}: outside ${this.supportedVersions}`] };
    // Function tools run inside an OTel `execute_tool` span with the call id: both copies of agents-core
    // (`@openai/agents` depends on it, so it is found from there), patched before the first await (`-r`).
    const tools = enableTargets(
      [
        {
          package: '@openai/agents-core',
          range: this.supportedVersions,
          modules: [
            { subpath: '.', patch: (moduleExports) => patchAgentTools(moduleExports, processorSlot) },
          ],
        },
      ],
      { ...context, resolveFrom: found.dir },
    );
    const holder = globalThis as Holder;
    if (holder[REGISTERED]) holder[REGISTERED].resume();
    else {
      const add = await loadAddTraceProcessor(found, context.log);
      if (!add) return { patched: [], skipped: [`${id}: addTraceProcessor not found`] };
      const processor = new AuditTraceProcessor();
      add(processor);
      holder[REGISTERED] = processor;
    }
    return { patched: [id], skipped: (await tools).skipped };
  }

  /** The SDK cannot remove one processor: ours stays registered and stops recording until enabled again. */
  disable(): void {
    (globalThis as Holder)[REGISTERED]?.pause();
  }
}

function processorSlot(): AuditTraceProcessor | undefined {
  return (globalThis as Holder)[REGISTERED];
}

/** The CommonJS entry when there is one, else the ES module entry — synchronously when this Node can (`-r`). */
async function loadAddTraceProcessor(
  found: FoundPackage,
  log: (message: string) => void,
): Promise<AddTraceProcessor | undefined> {
  try {
    const cjsFile = resolveExport(found.dir, '.', 'require');
    const esmFile = resolveExport(found.dir, '.', 'import') ?? '';
    const moduleExports = cjsFile
      ? requireFile(found.dir, cjsFile)
      : (requireEsm(found.dir, esmFile) ?? (await importFile(esmFile)));
    const add = moduleExports.addTraceProcessor;
    return typeof add === 'function' ? (add as AddTraceProcessor) : undefined;
  } catch (error) {
    log(`tooltrail: could not load ${found.name}@${found.version}: ${String(error)}`);
    return undefined;
  }
}

/** The OpenAI Agents SDK instrumentation `registerToolInstrumentations()` enables. */
export const openaiAgentsInstrumentation = new OpenAIAgentsInstrumentation();
