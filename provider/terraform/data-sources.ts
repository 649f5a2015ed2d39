/**
 * Read-only views for configurations: `palette_user` (an owner by email, e.g. for `user_uid`) and
 * `palette_api_keys` (every key the caller may see, for audits and `for_each`).
 */
import type { PaletteClient } from "../../sdk";
import { ownerEmailProblem } from "../core/rules";
import type { CtyObject, DataSourceType } from "../tfplugin6";
import { stringAt } from "./values";

/** Runs a call to Palette on the provider's session (see `palette` in palette-provider.ts). */
export type PaletteCall = <T>(call: (client: PaletteClient) => Promise<T>) => Promise<T>;

const KEY_OBJECT = {
  id: "string",
  name: "string",
  description: "string",
  expires_at: "string",
  active: "bool",
  status: "string",
  user_uid: "string",
  user_name: "string",
  created_at: "string",
  updated_at: "string",
} as const;

export function userDataSource(palette: PaletteCall): DataSourceType {
  return {
    schema: {
      version: 0,
      block: {
        description: "A Palette user, found by email.",
        attributes: [
          { name: "email", type: "string", required: true, description: "The user's email address." },
          { name: "id", type: "string", computed: true, description: "The user's uid (use it as `user_uid`)." },
          { name: "name", type: "string", computed: true, description: 'The user\'s "First Last".' },
          { name: "active", type: "bool", computed: true, description: "Whether the user is active." },
        ],
      },
    },
    async validate(config) {
      const email = stringAt(config, "email");
      const reason = typeof email === "string" ? ownerEmailProblem(email) : undefined;
      return reason === undefined ? [] : [{ severity: "error", summary: "Invalid email", detail: `email ${reason}`, attribute: ["email"] }];
    },
    async read(config, ctx) {
      const email = stringAt(config, "email");
      if (typeof email !== "string") return { state: null, diagnostics: [{ severity: "error", summary: "email is required", attribute: ["email"] }] };
      const user = await palette((client) => client.users.findByEmail(email, { signal: ctx.signal }));
      return { state: { email, id: user.uid, name: `${user.firstName} ${user.lastName}`.trim(), active: user.active } };
    },
  };
}

export function apiKeysDataSource(palette: PaletteCall, clock: () => Date = () => new Date()): DataSourceType {
  return {
    schema: {
      version: 0,
      block: {
        description: "Every API key the caller may see: all of the tenant's for a tenant admin, one's own for a user. Key values are never readable.",
        attributes: [
          { name: "keys", type: ["list", ["object", { ...KEY_OBJECT }]], computed: true, description: "The keys, oldest first." },
        ],
      },
    },
    async validate() {
      return [];
    },
    async read(_config, ctx) {
      // Loaded here, not at start-up: it brings the SDK (see palette-provider.ts).
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: brings the SDK, which schema and validate calls never need
      const { observe } = require("../core/observed") as typeof import("../core/observed");
      const now = clock();
      const keys = (await palette((client) => client.apiKeys.list({ signal: ctx.signal })))
        .map((k) => observe(k, now))
        .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.uid.localeCompare(b.uid));
      const rows: CtyObject[] = keys.map((k) => ({
        id: k.uid,
        name: k.name,
        description: k.description,
        expires_at: k.expiresAt ?? null,
        active: k.active,
        status: k.status,
        user_uid: k.userUid,
        user_name: k.userName,
        created_at: k.createdAt ?? null,
        updated_at: k.updatedAt ?? null,
      }));
      return { state: { keys: rows } };
    },
  };
}
