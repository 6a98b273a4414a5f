import { tracingChannel } from 'node:diagnostics_channel';
import semver from 'semver';
import { findPackage } from '../internal/find-package.js';
import { inSupportedRange } from '../internal/version-check.js';
import type { EnableContext, EnableResult, ToolInstrumentation } from '../types.js';
import { AiSdkTelemetry } from './ai-sdk-telemetry.js';
import { AI_SDK_TRACING_CHANNEL } from './tracing-channel-audit.js';

/** Vercel AI SDK majors whose telemetry hooks this instrumentation implements. */
// 6.0.111 is the first 6.x whose global telemetry integrations receive the tool hooks.
export const AI_SDK_SUPPORTED_VERSIONS = '>=6.0.111 <8';

type IntegrationsHolder = { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] };

/**
 * Audits the Vercel AI SDK's tool calls through the SDK's own global telemetry integration list (the one
 * `registerTelemetryIntegration` (6.x) / `registerTelemetry` (7.x) fill), plus the SDK's `ai:telemetry` tracing
 * channel for 7.x calls that bring their own integrations: no patching, and it works whether the app imports `ai`
 * as ESM or CJS, before or after this runs.
 */
export class AiSdkInstrumentation implements ToolInstrumentation {
  readonly name = 'ai' as const;
  readonly packages = ['ai'];
  readonly supportedVersions = AI_SDK_SUPPORTED_VERSIONS;
  private _integration: AiSdkTelemetry | undefined;

  async enable(context: EnableContext): Promise<EnableResult> {
    const found = findPackage('ai', context.resolveFrom);
    if (!found) return { patched: [], skipped: [] };
    const id = `ai@${found.version}`;
    if (!inSupportedRange(found, this.supportedVersions, context.log))
      return { patched: [], skipped: [`${id}: outside ${this.supportedVersions}`] };
    if (!this._integration) {
      const range = this.supportedVersions;
      const warned = new Set<string>();
      this._integration = new AiSdkTelemetry({
        // 7.x events carry the emitting `ai` version: a second copy out of range is skipped too (logged once).
        acceptsVersion: (version) => {
          if (version === undefined || semver.satisfies(version, range, { includePrerelease: true }))
            return true;
          if (!warned.has(version)) {
            warned.add(version);
            context.log(
              `tooltrail: ai@${version} is outside the supported range ${range}; its tool calls are not instrumented`,
            );
          }
          return false;
        },
      });
      const holder = globalThis as IntegrationsHolder;
      if (!Array.isArray(holder.AI_SDK_TELEMETRY_INTEGRATIONS)) holder.AI_SDK_TELEMETRY_INTEGRATIONS = [];
      holder.AI_SDK_TELEMETRY_INTEGRATIONS.push(this._integration);
      // 7.x: calls that pass their own `telemetry.integrations` skip the global list, not the tracing channel.
      try {
        tracingChannel(AI_SDK_TRACING_CHANNEL).subscribe(this._integration.channelHandlers);
      } catch (error) {
        context.log(`tooltrail: could not subscribe to the AI SDK tracing channel: ${String(error)}`);
      }
    }
    return { patched: [id], skipped: [] };
  }

  /** Removes the integration from the SDK's global list. */
  disable(): void {
    const integration = this._integration;
    if (!integration) return;
    this._integration = undefined;
    tracingChannel(AI_SDK_TRACING_CHANNEL).unsubscribe(integration.channelHandlers);
    const list = (globalThis as IntegrationsHolder).AI_SDK_TELEMETRY_INTEGRATIONS;
    const index = Array.isArray(list) ? list.indexOf(integration) : -1;
    if (index >= 0) list?.splice(index, 1);
  }
}

/** The AI SDK instrumentation `registerToolInstrumentations()` enables. */
export const aiInstrumentation = new AiSdkInstrumentation();
