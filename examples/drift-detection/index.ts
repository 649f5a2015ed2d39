/**
 * Drift detection: the keys a platform team promises to keep exactly as declared.
 *
 * Run on a schedule (see `drift-check.yml`):
 *
 *   pulumi preview --refresh --expect-no-changes --diff
 *
 * `--refresh` reads every key from Palette first, so the preview compares the program with what Palette has
 * now. Somebody revoking a key, renaming it, moving its expiry or deleting it in the Palette UI makes the
 * command exit non-zero and print exactly which property changed; `pulumi up --refresh` puts it back
 * (in place: same key value), or re-creates a deleted key.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();

const monitoring = new ApiKey("monitoring", {
  name: config.get("monitoringKeyName") ?? "monitoring-exporter",
  description: "Read-only exporter; must stay active",
  expiresAt: config.get("monitoringExpiresAt") ?? "2027-06-30",
  active: true,
});

export const monitoringStatus = monitoring.status;
export const monitoringExpiresAt = monitoring.expiresAt;
