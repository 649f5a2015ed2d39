/**
 * What the core adds to an SDK failure, in each engine's words: where the host is set after Palette
 * did not answer, and what to do about a key a create may have left behind. Both engines, one core.
 */
import { explain, type EngineHints } from "../../../../provider/core/explain";
import { KeyLifecycle } from "../../../../provider/core/lifecycle";
import { CredentialRejection } from "../../../../provider/core/rejected-credentials";
import { PULUMI_NAMES } from "../../../../provider/pulumi/check";
import { PULUMI_HINTS } from "../../../../provider/pulumi/impl";
import { TERRAFORM_NAMES } from "../../../../provider/terraform/api-key-state";
import { TERRAFORM_HINTS } from "../../../../provider/terraform/palette-provider";
import { PaletteError, type PaletteClient } from "../../../../sdk";
import type { FieldNames } from "../../../../provider/core/rules";

const refused = new PaletteError({
  code: "CONNECTION",
  message:
    "apiKeys.create failed: POST /v1/apiKeys -> cannot connect to 127.0.0.1:1 (connection refused). Check the Palette host and port: nothing listens there; nothing was sent to Palette.",
  operation: "apiKeys.create",
  method: "POST",
  path: "/v1/apiKeys",
  attempts: 1,
  mayHaveReachedServer: false,
  connectFailure: "refused",
});
const orphaned = new PaletteError({
  code: "TIMEOUT",
  message:
    'apiKeys.create failed: POST /v1/apiKeys -> no answer within 30000 ms. A key named "ci" may have been created without its value reaching us: find it by name and delete it.',
  operation: "apiKeys.create",
  method: "POST",
  path: "/v1/apiKeys",
  attempts: 1,
  orphanedKeyName: "ci",
});
const rejected = new PaletteError({
  code: "UNAUTHENTICATED",
  message: "apiKeys.get failed: GET /v1/apiKeys/k1 -> 401 UnAuthorizedAccess: invalid API key. The API key is missing, revoked or expired: check the key the client was given.",
  operation: "apiKeys.get",
  method: "GET",
  path: "/v1/apiKeys/k1",
  attempts: 1,
  status: 401,
  paletteCode: "UnAuthorizedAccess",
});
const unknownUser = new PaletteError({
  code: "NOT_FOUND",
  message: "apiKeys.create failed: POST /v1/apiKeys -> 404 UserNotFound: Specified user 'u1' not found. The key's owner is not a user of this tenant: check the user uid it names.",
  operation: "apiKeys.create",
  method: "POST",
  path: "/v1/apiKeys",
  attempts: 1,
  status: 404,
  paletteCode: "UserNotFound",
});

const nameTaken = new PaletteError({
  code: "CONFLICT",
  message: "apiKeys.create failed: POST /v1/apiKeys -> 409 AlreadyExists: An API key named 'ci' already exists for this user: choose another name. Alternatively, delete the existing key.",
  operation: "apiKeys.create",
  resource: "API key",
  method: "POST",
  path: "/v1/apiKeys",
  attempts: 1,
  status: 409,
  paletteCode: "AlreadyExists",
});
/** An update renaming a key to a name its owner already uses: a conflict, but no key to take over. */
const renameTaken = new PaletteError({
  code: "CONFLICT",
  message: "apiKeys.update failed: PUT /v1/apiKeys/k1 -> 409 AlreadyExists: An API key named 'ci' already exists for this user: choose another name. Alternatively, delete the existing key.",
  operation: "apiKeys.update",
  resource: "API key",
  method: "PUT",
  path: "/v1/apiKeys/k1",
  attempts: 1,
  status: 409,
  paletteCode: "AlreadyExists",
});
const gone = new PaletteError({
  code: "NOT_FOUND",
  message: "apiKeys.get failed: GET /v1/apiKeys/k1 -> 404 ResourceNotFound: API key 'k1' not found.",
  operation: "apiKeys.get",
  method: "GET",
  path: "/v1/apiKeys/k1",
  attempts: 1,
  status: 404,
  paletteCode: "ResourceNotFound",
});

function lifecycleFailing(e: unknown, names: FieldNames, hints: EngineHints): KeyLifecycle {
  const reject = (): Promise<never> => Promise.reject(e);
  const client = { apiKeys: { create: reject, get: reject, findShared: reject, delete: reject, setActive: reject, update: reject }, users: { get: reject } };
  // The tenant guard's question answers; the calls about keys fail with `e`.
  const location = async () => ({ host: "https://palette.example.com", tenantUid: "t".repeat(24) });
  const session = { client: client as unknown as PaletteClient, location, user: reject, emailOf: reject, rejection: new CredentialRejection("apiKey") };
  return new KeyLifecycle(session, names, hints);
}

const spec = { name: "ci", description: "", expiresAt: new Date("2099-01-01T00:00:00Z"), active: true };
const messageOf = (p: Promise<unknown>): Promise<string> => p.then(() => "", (e: unknown) => (e as Error).message);

describe.each([
  ["Pulumi", PULUMI_NAMES, PULUMI_HINTS, "`palette:host`", /`pulumi destroy` will not remove it/, "user.uid", "`palette:apiKey`", "api_key", 'adopt: { uid: "<its uid>" }'],
  ["Terraform", TERRAFORM_NAMES, TERRAFORM_HINTS, '`host` in the provider "palette" block', /`terraform destroy` will not remove it/, "user_uid", "`api_key`", "palette:", "terraform import <address> <its uid>"],
] as const)("%s", (_engine, names, hints, hostSetting, orphanAdvice, userUidField, credentialSetting, otherEngines, takeOver) => {
  test("a taken name says how to take the existing key over, in the engine's input", async () => {
    const text = await messageOf(lifecycleFailing(nameTaken, names, hints).create(spec));
    expect(text).toMatch(/^Cannot create API key "ci": .*409 AlreadyExists/);
    expect(text).toContain(takeOver);
    expect(text).not.toContain(otherEngines);
    // Only a create's conflict is about a taken name.
    expect(await messageOf(lifecycleFailing(rejected, names, hints).read("k1"))).not.toContain(takeOver);
    expect(explain(renameTaken, hints)).not.toContain(takeOver);
    expect(explain(nameTaken, hints)).toContain(takeOver);
  });

  test("rejected credentials name where the engine takes them from, and no other engine's settings", async () => {
    const text = await messageOf(lifecycleFailing(rejected, names, hints).read("k1"));
    expect(text).toMatch(/^Cannot read API key k1: .*401/);
    expect(text).toContain(credentialSetting);
    expect(text).toContain("SPECTROCLOUD_APIKEY");
    expect(text).not.toContain(otherEngines);
  });

  test("a connection failure names where the engine takes the host from", async () => {
    const text = await messageOf(lifecycleFailing(refused, names, hints).create(spec));
    expect(text).toMatch(/^Cannot create API key "ci": apiKeys.create failed: POST \/v1\/apiKeys -> cannot connect to 127.0.0.1:1 \(connection refused\)/);
    expect(text).toContain(hostSetting);
    expect(text).toContain("SPECTROCLOUD_HOST");
    expect(text).not.toMatch(/may have been created/);
    for (const read of [lifecycleFailing(refused, names, hints).read("k1"), lifecycleFailing(refused, names, hints).delete("k1")]) {
      expect(await messageOf(read)).toContain(hostSetting);
    }
  });

  test("a key missing at another host of its tenant names the engine's host setting, and lets go only of a key gone for good", async () => {
    const recorded = { host: "https://old.example.com", tenantUid: "t".repeat(24) };
    for (const call of [(l: KeyLifecycle) => l.read("k1", recorded), (l: KeyLifecycle) => l.delete("k1", recorded)]) {
      const text = await messageOf(call(lifecycleFailing(gone, names, hints)));
      expect(text).toMatch(/^API key k1 was recorded at https:\/\/old\.example\.com .* reach that tenant at https:\/\/palette\.example\.com, but the key is not there/);
      expect(text).toContain(hostSetting);
      expect(text).toMatch(/only if that host no longer answers and the Palette console shows the key gone, drop it with `(terraform state rm|pulumi state delete)/);
      expect(text).not.toContain(otherEngines);
    }
  });

  test("a key a create may have left behind gets the engine's advice, no SDK method", async () => {
    const text = await messageOf(lifecycleFailing(orphaned, names, hints).create(spec));
    expect(text).toContain('A key named "ci" may have been created without its value reaching us');
    expect(text).toMatch(orphanAdvice);
    expect(text).toContain("Palette console");
    expect(text).not.toMatch(/findByName|apiKeys\.\w+ and/);
  });

  test("a create for an unknown owner uid names the owner and the engine's field", async () => {
    const text = await messageOf(lifecycleFailing(unknownUser, names, hints).create({ ...spec, owner: { uid: "u1" } }));
    expect(text).toMatch(new RegExp(`^Cannot create API key "ci" for user u1 \\(${userUidField}\\): `));
    expect(text).toContain("not a user of this tenant");
    expect(text).not.toContain(hostSetting);
  });
});
