import { UserListWire, UserSummaryListWire, UsersMetaWire, UserWire, ZERO_TIME } from "../../../sdk/wire";
import type { RunningEmulator } from "../../../emulator";
import { emulatorPerFile } from "../../helpers/emulator-per-file";
import { call, errorCode, keyOf, startForTest } from "./support";

let emu: RunningEmulator;
emulatorPerFile(startForTest, (started) => (emu = started));

const admin = () => keyOf(emu.accounts.admin);
const EMAILS = ["admin@palette.local", "alice@palette.local", "bob@palette.local"];

describe("GET /v1/users", () => {
  it("lists every user (limit default 50) with listmeta and an empty continue at the end", async () => {
    const res = await call(emu, "GET", "/v1/users", { auth: admin() });
    expect(res.status).toBe(200);
    const list = UserListWire.parse(res.json);
    expect(list.items?.map((u) => u.spec?.emailId)).toEqual(EMAILS);
    expect(list.listmeta).toEqual({ continue: "", count: 3, limit: 50, offset: 0 });
    const admin0 = list.items?.[0];
    expect(admin0?.metadata).toMatchObject({ name: "Ada Admin", uid: emu.accounts.admin.uid, deletionTimestamp: ZERO_TIME });
    expect(admin0?.spec?.roles).toHaveLength(1);
    expect(list.items?.[1]?.spec?.roles).toEqual([]);
  });

  it("pages with limit and a Palette-style continue token (base64 {offset,count,token})", async () => {
    const first = UserListWire.parse((await call(emu, "GET", "/v1/users?limit=2", { auth: admin() })).json);
    expect(first.items).toHaveLength(2);
    const token = first.listmeta?.continue ?? "";
    expect(JSON.parse(Buffer.from(token, "base64").toString())).toEqual({ offset: 2, count: 3, token: "" });
    const second = UserListWire.parse((await call(emu, "GET", `/v1/users?limit=2&continue=${encodeURIComponent(token)}`, { auth: admin() })).json);
    expect(second.items?.map((u) => u.spec?.emailId)).toEqual(["bob@palette.local"]);
    expect(second.listmeta?.continue).toBe("");
  });

  it("returns everything for limit=0, caps limit at 50, and rejects bad paging parameters with 400", async () => {
    const all = UserListWire.parse((await call(emu, "GET", "/v1/users?limit=0", { auth: admin() })).json);
    expect(all.items).toHaveLength(3);
    expect(UserListWire.parse((await call(emu, "GET", "/v1/users?limit=500", { auth: admin() })).json).listmeta?.limit).toBe(50);
    for (const q of ["limit=-1", "limit=abc", "offset=1.5", "continue=%%%", "continue=bm90LWpzb24"]) {
      const res = await call(emu, "GET", `/v1/users?${q}`, { auth: admin() });
      expect([q, res.status, errorCode(res)]).toEqual([q, 400, "InvalidRequest"]);
    }
  });
});

describe("GET /v1/users/meta and GET /v1/users/{uid}", () => {
  it("lists {emailId, name, uid} for every user", async () => {
    const meta = UsersMetaWire.parse((await call(emu, "GET", "/v1/users/meta", { auth: admin() })).json);
    expect(meta.items?.map((m) => m.emailId)).toEqual(EMAILS);
    expect(meta.items?.[2]).toEqual({ emailId: "bob@palette.local", name: "Bob Brown", uid: emu.accounts.users[1]?.uid });
  });

  it("gets a user by uid, 404 UserNotFound for an unknown uid", async () => {
    const alice = emu.accounts.users[0];
    const res = await call(emu, "GET", `/v1/users/${alice?.uid ?? ""}`, { auth: admin() });
    expect(UserWire.parse(res.json).spec).toMatchObject({ emailId: "alice@palette.local", firstName: "Alice", lastName: "Anders" });
    const missing = await call(emu, "GET", "/v1/users/0123456789abcdef01234567", { auth: admin() });
    expect([missing.status, errorCode(missing)]).toEqual([404, "UserNotFound"]);
  });

  it("records the last sign-in after a password login", async () => {
    await call(emu, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: emu.accounts.admin.password } });
    const bob = UserWire.parse((await call(emu, "GET", `/v1/users/${emu.accounts.users[1]?.uid ?? ""}`, { auth: admin() })).json);
    expect(bob.status?.lastSignIn).not.toBe(ZERO_TIME);
  });
});

describe("POST /v1/users/summary", () => {
  const summary = async (body: unknown) => call(emu, "POST", "/v1/users/summary", { auth: admin(), body });
  const emails = (res: { json: unknown }) => UserSummaryListWire.parse(res.json).items?.map((u) => u.spec?.emailId);

  it("finds a user by exact email, ignoring case by default (the Go SDK's lookup)", async () => {
    expect(emails(await summary({ filter: { emailId: { eq: "Alice@Palette.local" } } }))).toEqual(["alice@palette.local"]);
    expect(emails(await summary({ filter: { emailId: { eq: "Alice@Palette.local", ignoreCase: false } } }))).toEqual([]);
  });

  it("supports ne, contains and beginsWith on emailId and name, and sorting", async () => {
    expect(emails(await summary({ filter: { emailId: { ne: "bob@palette.local" } } }))).toEqual(EMAILS.slice(0, 2));
    expect(emails(await summary({ filter: { name: { contains: "an" } } }))).toEqual(["alice@palette.local"]);
    expect(emails(await summary({ filter: { name: { beginsWith: "b" } } }))).toEqual(["bob@palette.local"]);
    expect(emails(await summary({ sort: [{ field: "name", order: "desc" }] }))).toEqual([...EMAILS].reverse());
  });

  it("returns v1UserSummary items and rejects unknown filter fields with 400", async () => {
    const item = UserSummaryListWire.parse((await summary({})).json).items?.[0];
    expect(item?.spec).toMatchObject({ projectsCount: 0, teams: [], roles: [{ name: "Tenant Admin" }] });
    const bad = await summary({ filter: { phone: { eq: "1" } } });
    expect([bad.status, errorCode(bad)]).toEqual([400, "InvalidRequest"]);
  });
});
