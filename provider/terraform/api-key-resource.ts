/**
 * `palette_api_key`: the ApiKey of the core as a Terraform resource, wired from its phases, as
 * terraform-plugin-framework separates a resource's parts: the attributes and private state
 * (api-key-state.ts), validation (api-key-validate.ts), plan (api-key-plan.ts), and read and apply
 * (api-key-apply.ts), which alone talk to Palette.
 */
import type { KeyLifecycle } from "../core/lifecycle";
import type { Preflight } from "../core/preflight";
import type { ResourceType } from "../tfplugin6";
import { planKey } from "./api-key-plan";
import { API_KEY_SCHEMA, upgradeState } from "./api-key-state";
import { validateApiKeyConfigFully } from "./api-key-validate";

/**
 * Read and apply need the HTTP client; schema, validate and plan do not. Terraform starts 2-5
 * provider processes per command and most of them never reach Palette, so the client is loaded
 * by the first call that needs it. Nothing else imports api-key-apply.ts, and it imports none of
 * the other phases: a static import either way would load it (and the client) at start-up.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: plan-only processes never load the apply phase or the SDK
const applying = (): typeof import("./api-key-apply") => require("./api-key-apply");

/** `preflight`: see planKey. */
export function apiKeyResource(
  lifecycle: (signal: AbortSignal) => KeyLifecycle,
  clock: () => Date = () => new Date(),
  preflight: () => Preflight | undefined = () => undefined,
): ResourceType {
  return {
    schema: API_KEY_SCHEMA,

    async validate(config) {
      return validateApiKeyConfigFully(config);
    },

    async upgrade(raw) {
      return { state: upgradeState(raw) };
    },

    read(req, ctx) {
      return applying().readKey(lifecycle, clock, req, ctx);
    },

    plan(req) {
      return planKey(clock, preflight, req);
    },

    apply(req, ctx) {
      return applying().applyKey(lifecycle, clock, req, ctx);
    },

    async importState(id) {
      // Terraform reads the key right after; its value is unknown to Palette and stays null.
      return { state: { id } };
    },
  };
}
