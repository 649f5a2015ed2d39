/**
 * Rotation before expiry, without downtime: one key, replaced by a new one a week before it expires.
 *
 * The key lives 30 days. Once fewer than 7 are left (`rotatesAt`), the next `pulumi up` creates a new
 * key (fresh autoname, fresh 30 days) and exports its value; the replaced key stays usable for 2 more
 * days (`keepPrevious`) so consumers that read the value on their own schedule can switch, and the
 * first `up` after that deletes it. Before the window `up` changes nothing: time passing alone never
 * makes a diff, so the schedule is the pipeline's (rotate.yml beside this file runs `up` nightly).
 *
 * Consumers never copy the value: they read `deployerKey` through a StackReference (./consumer), so
 * their next `up` picks up the rotated key.
 *
 *   pulumi config set rotateBefore 7d   # optional, as are expiresIn and keepPrevious
 *   pulumi up                           # nightly
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();

const deployer = new ApiKey("deployer", {
  description: "Deployer key, rotated by the nightly pipeline",
  expiresIn: config.get("expiresIn") ?? "30d",
  rotateBefore: config.get("rotateBefore") ?? "7d",
  keepPrevious: config.get("keepPrevious") ?? "2d",
});

export const deployerKey = deployer.key; // a secret: consumers read it through a StackReference
export const deployerKeyName = deployer.name;
export const deployerExpiresAt = deployer.expiresAt;
export const deployerRotatesAt = deployer.rotatesAt;
/** The replaced keys still alive, with when the next `up` deletes them (no values). */
export const previousKeys = deployer.previousKeys.apply((keys) => keys ?? []);
