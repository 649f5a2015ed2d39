/**
 * The ephemeral palette_api_key on a fake lifecycle: validation on the attribute that is wrong, an
 * open that creates a key (expires_in default 1h, name_prefix a new name per opening) and keeps its
 * uid and location as the private bytes, and a close that deletes exactly that key there.
 */
import type { CreateSpec, KeyLifecycle } from "../../../../provider/core/lifecycle";
import type { KeyLocation } from "../../../../provider/core/tenant-guard";
import { ephemeralApiKey } from "../../../../provider/terraform/api-key-ephemeral";
import type { CtyObject } from "../../../../provider/tfplugin6";

const NOW = new Date("2026-03-10T12:34:56.789Z");
const LOCATION: KeyLocation = { host: "palette.example.com", tenantUid: "t1" };
const NULLS: CtyObject = { name: null, name_prefix: null, description: null, expires_in: null, user_uid: null, user_email: null, id: null, key: null, expires_at: null };
const config = (values: CtyObject): CtyObject => ({ ...NULLS, ...values });

function fake() {
  const created: CreateSpec[] = [];
  const deleted: [string, KeyLocation | undefined][] = [];
  const lifecycle = {
    create: async (spec: CreateSpec) => {
      created.push(spec);
      const uid = `uid-${created.length}`;
      return { key: { uid, name: spec.name, expiresAt: spec.expiresAt }, value: `VALUE-${created.length}`, location: LOCATION };
    },
    delete: async (uid: string, at?: KeyLocation) => void deleted.push([uid, at]),
  } as unknown as KeyLifecycle;
  return { resource: ephemeralApiKey(() => lifecycle, () => NOW), created, deleted };
}
const ctx = { signal: new AbortController().signal };

test.each([
  ["neither name nor name_prefix", {}, "name", /set name, or name_prefix/],
  ["both name and name_prefix", { name: "a", name_prefix: "b" }, "name_prefix", /mutually exclusive/],
  ["a bad expires_in", { name: "a", expires_in: "30m" }, "expires_in", /not a duration/],
  ["both owner forms", { name: "a", user_uid: "u1", user_email: "a@b.c" }, "user_email", /exactly one of user_uid or user_email/],
  ["an owner email that is not an address", { name: "a", user_email: "alice" }, "user_email", /email address/],
])("validate: %s fails on %s", async (_label, values, attribute, detail) => {
  const diags = await fake().resource.validate(config(values));
  expect(diags).toEqual([expect.objectContaining({ severity: "error", attribute: [attribute], detail: expect.stringMatching(detail) })]);
});

test("each open makes its own key (1h by default, a new suffix per opening); close deletes that key at its location", async () => {
  const { resource, created, deleted } = fake();
  const cfg = config({ name_prefix: "run-bot", user_email: "bot@example.com" });
  const first = await resource.open(cfg, ctx);
  const second = await resource.open(cfg, ctx);
  expect(created.map((c) => c.name)).toEqual([expect.stringMatching(/^run-bot-[a-z0-9]{7}$/), expect.stringMatching(/^run-bot-[a-z0-9]{7}$/)]);
  expect(created[0]?.name).not.toBe(created[1]?.name);
  expect(created[0]).toMatchObject({ owner: { email: "bot@example.com" }, active: true, expiresAt: new Date("2026-03-10T13:34:00.000Z") });
  expect(first.result).toMatchObject({ id: "uid-1", key: "VALUE-1", expires_at: "2026-03-10T13:34:00.000Z", name_prefix: "run-bot" });
  expect(first.private?.toString()).not.toContain("VALUE-1");

  await resource.close(second.private, ctx);
  await resource.close(first.private, ctx);
  expect(deleted).toEqual([
    ["uid-2", LOCATION],
    ["uid-1", LOCATION],
  ]);
  await resource.close(undefined, ctx);
  expect(deleted).toHaveLength(2);
});

test("expires_in sets the lifetime; an invalid config opens nothing", async () => {
  const { resource, created } = fake();
  await resource.open(config({ name: "bot", expires_in: "2h" }), ctx);
  expect(created[0]?.expiresAt).toEqual(new Date("2026-03-10T14:34:00.000Z"));
  expect((await resource.open(config({}), ctx)).result).toBeNull();
  expect(created).toHaveLength(1);
});
