/**
 * What the demo needs from "a Pulumi": the same few stack operations, whether they run through the
 * real CLI (Automation API, `automation-driver.ts`) or the offline runner (`offline-driver.ts`). Both
 * report steps in the offline runner's {@link Step} shape, values already masked, so the demo's
 * printing and checks are written once.
 */
import type { Step } from "../runner/render-steps";

/** What one preview/up/destroy did (or, for a preview, would do). Every value in it is masked. */
export interface OperationReport {
  /** Refresh pass (only with `refresh`): resources whose state drifted (`refresh-drift`) or vanished (`delete`). */
  drift: Step[];
  /** Main pass, one step per resource. */
  steps: Step[];
  /** Stack outputs after an up (secrets as `[secret]`); empty for previews and destroy. */
  outputs: Record<string, unknown>;
  /** Names of the stack outputs that are secret. */
  secretOutputs: string[];
  /** With `expectNoChanges`: the preview proposed changes (reported, not thrown). */
  changesFound: boolean;
}

/** Options of a preview. */
export interface PreviewOptions {
  /** Read every resource from the provider first (`--refresh`). */
  refresh?: boolean;
  /** `--expect-no-changes`: changes are reported in {@link OperationReport.changesFound} instead of failing. */
  expectNoChanges?: boolean;
}

/** One stack, driven either by the Pulumi CLI or by the offline runner. */
export interface StackDriver {
  /** Which of the two modes runs, for the demo's output. */
  readonly mode: "automation" | "offline";
  /** Sets one fully qualified stack config value (`palette:host`). */
  setConfig(key: string, value: string, secret?: boolean): Promise<void>;
  preview(options?: PreviewOptions): Promise<OperationReport>;
  up(options?: { refresh?: boolean }): Promise<OperationReport>;
  destroy(): Promise<OperationReport>;
  /**
   * The plain values of the secret stack outputs of the last up, for comparisons and hashing only:
   * the caller must never print or store them.
   */
  secretOutputValues(): Promise<Record<string, string>>;
  /** Releases what the driver holds (the CLI's stack). Idempotent. */
  close(): Promise<void>;
}
