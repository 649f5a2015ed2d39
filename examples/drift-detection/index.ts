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
 *
 * An expired key is not drift, and the report tells it apart: the refresh shows `status: "active" =>
 * "expired"` (exported below as `monitoringStatus`) and the plan replaces the key with the reason
 * `status`, where an out-of-band change shows the property that changed, updated in place.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();
// A fixed date (`pulumi config set monitoringExpiresAt 2027-06-30`) or a relative one: either way a moved
// expiry is put back. A relative expiry is resolved once, at create, and a key re-dated out of band is
// restored to that instant, never to a new now + 90 days. A date written into the program itself would
// fail `check` once it passed.
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
