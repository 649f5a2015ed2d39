/**
 * Rotation without downtime: one key per rotation period, the previous one kept for an overlap.
 *
 * Each period (a calendar month) gets its own `ApiKey` resource. When a new period starts, `pulumi up`
 * creates the new key and keeps the previous one alive, so consumers can switch over; the key from two
 * periods back leaves the program and is deleted. Expiry covers the overlap, so a forgotten `pulumi up`
 * never leaves consumers with an expired key before the next one exists.
 *
 * The current period comes from config so that the schedule is explicit in the stack's history instead of
 * depending on the clock of whoever runs `pulumi up`:
 *
 *   pulumi config set rotationPeriod 2026-11 && pulumi up    # keys for 2026-10 and 2026-11
 *   pulumi config set rotationPeriod 2026-12 && pulumi up    # creates 2026-12, keeps 2026-11, deletes 2026-10
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();
// Required: a default period would silently never rotate.
const period = config.require("rotationPeriod");

/** "2026-01" -> "2025-12". */
function previousPeriod(p: string): string {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(p);
  if (!match) throw new Error(`rotationPeriod must be a month such as "2026-11", got "${p}"`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, "0")}`;
}

const periods = [previousPeriod(period), period];
const keys = periods.map(
  (p) =>
    new ApiKey(`deployer-${p}`, {
      description: `Deployer key for rotation period ${p}`,
      // Two periods of life: this period and the overlap with the next one.
      expiresIn: "62d",
    }),
);

const current = keys[keys.length - 1]!;
export const currentKeyName = current.name;
export const currentKey = current.key; // a secret: hand this one to consumers
export const previousKeyName = keys[0]!.name;
