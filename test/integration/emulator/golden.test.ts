/**
 * The documented real `GET /v1/apiKeys` response (docs/reference/palette-api.md §3.1, masks replaced by plausible
 * uids) against the emulator's: same field structure, and both parse with the shared schema.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApiKeyListWire } from "../../../sdk/wire";
import type { RunningEmulator } from "../../../emulator";
import { call, createKey, keyOf, startForTest, leakedKeyValues } from "./support";

const fixture: unknown = JSON.parse(readFileSync(join(__dirname, "fixtures/palette-list-apikeys.json"), "utf8"));

/** Every key path in a JSON value; array items fold into "[]". */
function keyPaths(value: unknown, prefix = ""): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of keyPaths(item, `${prefix}[]`)) out.add(p);
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const here = prefix === "" ? k : `${prefix}.${k}`;
      out.add(here);
      for (const p of keyPaths(v, here)) out.add(p);
    }
  }
  return out;
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startForTest();
});
afterAll(() => emu.close());

it("the fixture parses with ApiKeyListWire", () => {
  expect(ApiKeyListWire.safeParse(fixture).success).toBe(true);
});

it("the emulator's list has exactly the fixture's field structure and parses with ApiKeyListWire", async () => {
  await createKey(emu, keyOf(emu.accounts.admin), "remove-me-test");
  const res = await call(emu, "GET", "/v1/apiKeys", { auth: keyOf(emu.accounts.admin) });
  expect(ApiKeyListWire.safeParse(res.json).success).toBe(true);
  expect([...keyPaths(res.json)].sort()).toEqual([...keyPaths(fixture)].sort());
  // Each item alone, too, so one odd item cannot hide behind the union of paths.
  const fixtureItem = [...keyPaths((fixture as { items: unknown[] }).items[0])].sort();
  for (const item of (res.json as { items: unknown[] }).items) expect([...keyPaths(item)].sort()).toEqual(fixtureItem);
});

it("keeps the same value formats: 24-hex uids, millisecond UTC timestamps, Go's zero deletionTimestamp", async () => {
  const res = await call(emu, "GET", "/v1/apiKeys", { auth: keyOf(emu.accounts.admin) });
  const item = ApiKeyListWire.parse(res.json).items?.[0];
  const model = ApiKeyListWire.parse(fixture).items?.[0];
  const shape = (i: typeof item) => ({
    uid: /^[0-9a-f]{24}$/.test(i?.metadata.uid ?? ""),
    ownerUid: /^[0-9a-f]{24}$/.test(i?.metadata.annotations?.ownerUid ?? ""),
    created: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(i?.metadata.creationTimestamp ?? ""),
    expiry: /\.\d{3}Z$/.test(i?.spec?.expiry ?? ""),
    deletion: i?.metadata.deletionTimestamp,
    scope: [i?.metadata.annotations?.scope, i?.metadata.annotations?.scopeVisibility, i?.metadata.annotations?.permissions],
  });
  expect(shape(item)).toEqual(shape(model));
});

it("never returned a key value in any response after the create that made it", () => {
  expect(leakedKeyValues()).toEqual([]);
});
