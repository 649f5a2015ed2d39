/**
 * SIGTERM's drain in the Terraform plugin outlasts any call in flight: a create whose POST was sent
 * runs until the SDK's call deadline at the latest, and its answer must still reach Terraform. The
 * plugin keeps its own copy of the deadline (the SDK is not loaded at start-up); this ties the two.
 */
import { DRAIN_AFTER_SIGTERM_MS, SDK_DEADLINE_MS } from "../../../../provider/terraform/serve-options";
import { DEFAULT_DEADLINE_MS } from "../../../../sdk/config";

test("the plugin's copy of the SDK's default deadline is the SDK's", () => {
  expect(SDK_DEADLINE_MS).toBe(DEFAULT_DEADLINE_MS);
});

test("SIGTERM waits longer than the SDK's default call deadline, with a margin for the answer to reach Terraform", () => {
  expect(DRAIN_AFTER_SIGTERM_MS).toBeGreaterThanOrEqual(DEFAULT_DEADLINE_MS + 10_000);
});
