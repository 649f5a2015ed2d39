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
 * (in place: same key value), or re-creates a deleted key (with a new value).
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();
// A fixed date (`pulumi config set monitoringExpiresAt 2027-06-30`) is the declarative choice: a moved expiry
// is then put back too. Without one the key lives 90 days from its creation, and an expiry moved out of band
// shows in the refresh but is kept (a relative expiry is resolved once). A date written into the program
// itself would fail `check` once it passed.
const expiresAt = config.get("monitoringExpiresAt");

const monitoring = new ApiKey("monitoring", {
  // A stable, readable name for the people who look at keys in the Palette UI (no random suffix).
  name: config.get("monitoringKeyName") ?? "monitoring-exporter",
  description: "Read-only exporter; must stay active",
  expiresAt,
  expiresIn: expiresAt === undefined ? "90d" : undefined,
  active: true,
});

export const monitoringStatus = monitoring.status;
export const monitoringExpiresAt = monitoring.expiresAt;
