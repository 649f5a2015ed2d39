/**
 * What the generic plugin server (provider/tfplugin6) is told about the `palette` provider: its
 * name, the advice for someone who runs it by hand, and how long SIGTERM drains. The server itself
 * names no provider; these values keep the Palette provider's log module, certificate subject,
 * socket directory, code cache directory and messages what they have always been.
 */
import type { ServeOptions } from "../tfplugin6";

/** The `@module` of the log lines, the certificate's organization and the code cache directory's name. */
export const PLUGIN_NAME = "palette-apikeys";

/**
 * The SDK's default call deadline (`DEFAULT_DEADLINE_MS` in sdk/config.ts), which bounds a create's
 * whole protocol once its POST was sent. A copy, not an import: the SDK loads only when a call needs
 * it, not at start-up. test/unit/provider/terraform/drain.test.ts fails if the SDK's grows past it.
 */
export const SDK_DEADLINE_MS = 120_000;
/** Past the deadline: for the last answer to reach Terraform, be written to its state, and the reply to go out. */
const DRAIN_MARGIN_MS = 15_000;
/**
 * How long SIGTERM waits for the calls in flight before the process exits anyway. On an abort the
 * SDK stops only what was not sent (see `Call.commit` in sdk/core/call.ts): a write already sent
 * finishes within the deadline, and the key it made reaches Terraform's state.
 */
export const DRAIN_AFTER_SIGTERM_MS = SDK_DEADLINE_MS + DRAIN_MARGIN_MS;

export const SERVE_OPTIONS: ServeOptions = {
  name: PLUGIN_NAME,
  launchHint: "Terraform installs it with `terraform init`, from a registry (`palette-apikeys terraform-registry`) or a filesystem mirror (`palette-apikeys terraform-mirror <dir>`).",
  socketDirPrefix: "tf-palette-",
  drainAfterSigtermMs: DRAIN_AFTER_SIGTERM_MS,
};
