/** `client.users` against the emulator, and continue-token paging against a small server of our own. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RunningEmulator } from "../../../emulator";
import { PaletteClient } from "../../../sdk";
import { clientFor, closeClients, collected, extraSecrets, failureOf, keyAuth, leaks, passwordAuth, seedSecrets, startEmu } from "./support";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmu();
});
afterEach(() => emu.reset());
afterAll(async () => {
  await closeClients();
  await emu.close();
});

const admin = () => emu.accounts.admin;
const alice = () => emu.accounts.users[0]!;
const bob = () => emu.accounts.users[1]!;

test("me tells who the caller is, for a key and for a password login", async () => {
  expect(await clientFor(emu, keyAuth(admin())).users.me()).toEqual({ userUid: admin().uid, tenantUid: emu.tenant.uid, orgName: emu.tenant.orgName });
  expect((await clientFor(emu, passwordAuth(bob())).users.me()).userUid).toBe(bob().uid);
});

test("a tenant admin lists every user; a plain user may not", async () => {
  const users = await clientFor(emu, keyAuth(admin())).users.list();
  expect(users.map((u) => u.email).sort()).toEqual([admin().email, alice().email, bob().email].sort());
  expect(users.find((u) => u.uid === alice().uid)).toMatchObject({ firstName: "Alice", lastName: "Anders", active: true });
  const e = await failureOf(clientFor(emu, keyAuth(alice())).users.list());
  expect(e).toMatchObject({ code: "FORBIDDEN", status: 403, operation: "users.list" });
  expect(e.message).toContain("only tenant admins may list or read other users");
});

test("get returns a user; an unknown uid is NOT_FOUND (UserNotFound)", async () => {
  const client = clientFor(emu, keyAuth(admin()));
  expect(await client.users.get(bob().uid)).toMatchObject({ uid: bob().uid, email: bob().email });
  const e = await failureOf(client.users.get("0123456789abcdef01234567"));
  expect(e).toMatchObject({ code: "NOT_FOUND", paletteCode: "UserNotFound", operation: "users.get" });
  expect(e.message).toContain("No such user");
  expect((await clientFor(emu, keyAuth(alice())).users.get(alice().uid)).uid).toBe(alice().uid);
  expect((await failureOf(clientFor(emu, keyAuth(alice())).users.get(bob().uid))).code).toBe("FORBIDDEN");
});

test("findByEmail is case-insensitive; no match is NOT_FOUND", async () => {
  const client = clientFor(emu, keyAuth(admin()));
  expect((await client.users.findByEmail(alice().email.toUpperCase())).uid).toBe(alice().uid);
  const e = await failureOf(client.users.findByEmail("nobody@palette.local"));
  expect(e).toMatchObject({ code: "NOT_FOUND", operation: "users.findByEmail" });
});

test("list follows continue tokens across pages until the empty token", async () => {
  const total = 120;
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    seen.push(url.search);
    const token = url.searchParams.get("continue");
    const offset = token === null ? 0 : (JSON.parse(Buffer.from(token, "base64").toString()) as { offset: number }).offset;
    const limit = Number(url.searchParams.get("limit"));
    const end = Math.min(total, offset + limit);
    const next = end < total ? Buffer.from(JSON.stringify({ offset: end, count: total, token: "" })).toString("base64") : "";
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(
      JSON.stringify({
        items: Array.from({ length: end - offset }, (_, i) => ({ metadata: { uid: `u${offset + i}`, name: `User ${offset + i}` }, spec: { emailId: `u${offset + i}@x` } })),
        listmeta: { continue: next, count: total, limit, offset },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = new PaletteClient({ host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: { apiKey: "k" }, rateLimit: false });
  try {
    const users = await client.users.list();
    expect(users.map((u) => u.uid)).toEqual(Array.from({ length: total }, (_, i) => `u${i}`));
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe("?limit=50");
    expect(seen[1]).toMatch(/^\?limit=50&continue=/);
  } finally {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("no error thrown in this suite carries a secret or a JWT", () => {
  expect(collected.length).toBeGreaterThanOrEqual(4);
  expect(leaks([...seedSecrets(emu), ...extraSecrets])).toEqual([]);
});
