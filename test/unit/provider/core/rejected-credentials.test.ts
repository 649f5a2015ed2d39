/**
 * Rejected credentials, remembered per client: which failures count (an API key's 401, a refused
 * login; never a session token the SDK renews), later calls refused without a request, the
 * explanation told once and referred to after, and other credentials (a new client) left alone.
 */
const { PaletteError } = jest.requireActual<typeof import("../../../../sdk")>("../../../../sdk");

/** The fake client's answer to `/v1/users/info`, per API key it was made with. */
const me = jest.fn<Promise<{ tenantUid: string }>, [string]>();
jest.mock("../../../../sdk", () => ({
  ...jest.requireActual("../../../../sdk"),
  PaletteClient: jest.fn().mockImplementation((options: { auth: { apiKey?: string; username?: string } }) => ({
    users: { me: () => me(options.auth.apiKey ?? options.auth.username ?? "") },
  })),
}));

import { KeyLifecycle, type LifecycleSession } from "../../../../provider/core/lifecycle";
import { Preflight } from "../../../../provider/core/preflight";
import {
  CredentialRejection,
  CredentialsRejectedBefore,
  REJECTED_BEFORE,
  rejectsCredentials,
  type CredentialKind,
} from "../../../../provider/core/rejected-credentials";
import { ClientCache } from "../../../../provider/core/session";
import { PULUMI_NAMES } from "../../../../provider/pulumi/check";
import { TERRAFORM_HINTS } from "../../../../provider/terraform/palette-provider";
import type { PaletteClient, User } from "../../../../sdk";

type Failure = InstanceType<typeof PaletteError>;

const failure = (code: Failure["code"], operation: string, status?: number): Failure =>
  new PaletteError({
    code,
    message: `${operation} failed: GET /v1/users/info -> ${status ?? "no answer"}. advice for ${code}`,
    operation,
    method: operation === "auth.login" ? "POST" : "GET",
    path: operation === "auth.login" ? "/v1/auth/authenticate" : "/v1/users/info",
    attempts: status === undefined ? 0 : 1,
    ...(status !== undefined ? { status } : {}),
  });

const keyRefused = failure("UNAUTHENTICATED", "users.me", 401);
const loginRefused = failure("UNAUTHENTICATED", "auth.login", 401);

describe("rejectsCredentials: which failures mean Palette refused the credentials themselves", () => {
  test.each<[string, unknown, CredentialKind, boolean]>([
    ["an API key's 401", keyRefused, "apiKey", true],
    ["a refused login", loginRefused, "password", true],
    // The SDK logged in again after the first 401 and Palette still refused the session: not the password's fault.
    ["a password session's 401 on a request", keyRefused, "password", false],
    ["a 403", failure("FORBIDDEN", "users.me", 403), "apiKey", false],
    ["a timeout", failure("TIMEOUT", "users.me"), "apiKey", false],
    ["an UNAUTHENTICATED without an answer from Palette", failure("UNAUTHENTICATED", "users.me"), "apiKey", false],
    ["another error", new Error("401"), "apiKey", false],
  ])("%s", (_what, e, kind, expected) => {
    expect(rejectsCredentials(e, kind)).toBe(expected);
  });
});

describe("CredentialRejection", () => {
  test("after a rejection, calls fail at once without running; the error says so and keeps the first as cause", async () => {
    const rejection = new CredentialRejection("apiKey");
    const call = jest.fn().mockRejectedValueOnce(keyRefused).mockResolvedValue("answer");
    await expect(rejection.gate(call)).rejects.toBe(keyRefused);
    const again = await rejection.gate(call).catch((e: unknown) => e);
    expect(call).toHaveBeenCalledTimes(1);
    expect(again).toBeInstanceOf(CredentialsRejectedBefore);
    expect(again).toMatchObject({ code: "UNAUTHENTICATED", message: REJECTED_BEFORE, attempts: 0, mayHaveReachedServer: false, cause: keyRefused });
  });

  test("a failure that is not a rejection of the credentials is not remembered: the next call runs", async () => {
    for (const [kind, e] of [["apiKey", failure("SERVER", "users.me", 500)], ["password", keyRefused]] as const) {
      const rejection = new CredentialRejection(kind);
      const call = jest.fn().mockRejectedValueOnce(e).mockResolvedValue("answer");
      await expect(rejection.gate(call)).rejects.toBe(e);
      await expect(rejection.gate(call)).resolves.toBe("answer");
      expect(call).toHaveBeenCalledTimes(2);
    }
  });

  test("a refused login is remembered like a refused key", async () => {
    const rejection = new CredentialRejection("password");
    const call = jest.fn().mockRejectedValue(loginRefused);
    await expect(rejection.gate(call)).rejects.toBe(loginRefused);
    await expect(rejection.gate(call)).rejects.toBeInstanceOf(CredentialsRejectedBefore);
    expect(call).toHaveBeenCalledTimes(1);
  });

  test("tells a rejection in full once, then by reference; other failures always in full", async () => {
    const rejection = new CredentialRejection("apiKey");
    const full = (e: unknown): string => `full: ${(e as Error).message}`;
    const timeout = failure("TIMEOUT", "users.me");
    expect(rejection.tell(timeout, full)).toBe(full(timeout));
    // Concurrent calls share one answer: the same error reaches every caller.
    expect(rejection.tell(keyRefused, full)).toBe(full(keyRefused));
    expect(rejection.tell(keyRefused, full)).toBe(REJECTED_BEFORE);
    expect(rejection.tell(new CredentialsRejectedBefore(keyRefused), full)).toBe(REJECTED_BEFORE);
    expect(rejection.tell(timeout, full)).toBe(full(timeout));
  });

  test("a refusal nobody was told about (its error was swallowed) is told in full by the next error", async () => {
    const rejection = new CredentialRejection("apiKey");
    await rejection.gate(() => Promise.reject(keyRefused)).catch(() => undefined);
    const next = await rejection.gate(() => Promise.resolve("never")).catch((e: unknown) => e);
    expect(rejection.tell(next, (e) => `full: ${(e as Error).message}`)).toBe(`full: ${keyRefused.message}`);
  });
});

/** A session whose every question fails with `e`, counting the questions asked. */
function sessionFailing(e: unknown): { session: LifecycleSession; asked: () => number } {
  const rejection = new CredentialRejection("apiKey");
  let asked = 0;
  const fail = (): Promise<never> => {
    asked++;
    return Promise.reject(e);
  };
  const session: LifecycleSession = {
    client: { apiKeys: {}, users: {} } as unknown as PaletteClient,
    location: () => rejection.gate(fail),
    user: (): Promise<User> => rejection.gate(fail),
    emailOf: () => rejection.gate(fail),
    rejection,
  };
  return { session, asked: () => asked };
}

const messageOf = (p: Promise<unknown>): Promise<string> => p.then(() => "", (e: unknown) => (e as Error).message);

describe("the lifecycle and the preview's check, with rejected credentials", () => {
  test("three reads: one question, the explanation with the engine's hint once, a one-line reference twice", async () => {
    const { session, asked } = sessionFailing(keyRefused);
    const ops = new KeyLifecycle(session, PULUMI_NAMES, TERRAFORM_HINTS);
    const texts = [await messageOf(ops.read("k1")), await messageOf(ops.read("k2")), await messageOf(ops.delete("k3"))];
    expect(asked()).toBe(1);
    expect(texts[0]).toBe(`Cannot read API key k1: asking Palette which tenant the credentials belong to failed: ${keyRefused.message} ${TERRAFORM_HINTS.credentials}`);
    expect(texts.slice(1)).toEqual([
      `Cannot read API key k2: asking Palette which tenant the credentials belong to failed: ${REJECTED_BEFORE}`,
      `Cannot delete API key k3: asking Palette which tenant the credentials belong to failed: ${REJECTED_BEFORE}`,
    ]);
  });

  test("concurrent reads sharing one answer: the explanation once", async () => {
    const rejection = new CredentialRejection("apiKey");
    const shared = Promise.reject(keyRefused);
    shared.catch(() => undefined);
    const session: LifecycleSession = { ...sessionFailing(keyRefused).session, location: () => rejection.gate(() => shared), rejection };
    const ops = new KeyLifecycle(session, PULUMI_NAMES, TERRAFORM_HINTS);
    const texts = await Promise.all(["k1", "k2", "k3"].map((uid) => messageOf(ops.read(uid))));
    expect(texts.filter((t) => t.includes(TERRAFORM_HINTS.credentials))).toHaveLength(1);
    expect(texts.filter((t) => t.endsWith(REJECTED_BEFORE))).toHaveLength(2);
  });

  test("each resource's check: the first gets the rejection in full, the others a reference, on the same setting", async () => {
    const { session, asked } = sessionFailing(keyRefused);
    const preflight = new Preflight(session);
    const verdicts = [await preflight.credentials(), await preflight.credentials(), await preflight.credentials()];
    expect(asked()).toBe(1);
    expect(verdicts).toEqual([
      { setting: "credentials", reason: `Palette rejected the configured credentials: ${keyRefused.message}` },
      { setting: "credentials", reason: REJECTED_BEFORE },
      { setting: "credentials", reason: REJECTED_BEFORE },
    ]);
  });

  test("a 403 is no rejection of the credentials: every check says it in full", async () => {
    const forbidden = failure("FORBIDDEN", "users.me", 403);
    const preflight = new Preflight(sessionFailing(forbidden).session);
    const reasons = [(await preflight.credentials())?.reason, (await preflight.credentials())?.reason];
    expect(reasons).toEqual([`Palette rejected the configured credentials: ${forbidden.message}`, `Palette rejected the configured credentials: ${forbidden.message}`]);
  });
});

describe("ClientCache: the memory belongs to one set of credentials", () => {
  const settings = (apiKey: string) => ({ host: "https://palette.example.com", auth: { apiKey } });
  const TENANT = "t".repeat(24);

  beforeEach(() => {
    me.mockReset();
    me.mockImplementation(async (apiKey) => {
      if (apiKey === "wrong-key-0123456789") throw keyRefused;
      return { tenantUid: TENANT };
    });
  });

  test("a rejected key is asked about once; a corrected key is asked and works", async () => {
    const cache = new ClientCache("test");
    const wrong = cache.sessionFor(settings("wrong-key-0123456789"));
    await expect(wrong.location()).rejects.toBe(keyRefused);
    await expect(wrong.location()).rejects.toBeInstanceOf(CredentialsRejectedBefore);
    await expect(cache.sessionFor(settings("wrong-key-0123456789")).user("a@example.com")).rejects.toBeInstanceOf(CredentialsRejectedBefore);
    expect(me).toHaveBeenCalledTimes(1);

    const right = cache.sessionFor(settings("right-key-0123456789"));
    await expect(right.location()).resolves.toEqual({ host: "https://palette.example.com", tenantUid: TENANT });
    expect(me).toHaveBeenLastCalledWith("right-key-0123456789");
    // Its own explanation, in full: nothing of the other key's run is held against it.
    expect(right.rejection.tell(keyRefused, () => "full")).toBe("full");
  });

  test("a key that answered before and is refused later (revoked mid-run) stops the questions that follow", async () => {
    const cache = new ClientCache("test");
    const session = cache.sessionFor(settings("right-key-0123456789"));
    await session.location();
    // A later call of the lifecycle met the 401 and told it.
    expect(session.rejection.tell(keyRefused, () => "full")).toBe("full");
    await expect(session.location()).rejects.toBeInstanceOf(CredentialsRejectedBefore);
    expect(me).toHaveBeenCalledTimes(1);
  });
});
