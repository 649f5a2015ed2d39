/**
 * What the native Diff sends to the engine's Log beside its answer, and where the plugin finds the
 * engine (its last argument that is not a flag).
 */
import type { KeyDiff } from "../../../../provider/core/diff";
import { UNKNOWN } from "../../../../provider/pulumi/check";
import { diffNotes } from "../../../../provider/native/diff-notes";
import { engineAddressOf } from "../../../../provider/native/engine-log";

const URN = "urn:pulumi:dev::p::palette:index:ApiKey::ci";
const none: KeyDiff = { changed: [], replaces: [], deleteBeforeReplace: false, expiredButWanted: false };
const A = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nA\n-----END PGP PUBLIC KEY BLOCK-----";
const B = "-----BEGIN PGP PUBLIC KEY BLOCK-----\nB\n-----END PGP PUBLIC KEY BLOCK-----";

it("warns when a key that stays keeps another recipient, and only then", () => {
  expect(diffNotes(none, { encryptFor: A }, { encryptFor: B }, URN)).toEqual([{ level: "warning", message: expect.stringContaining(`encryptFor changed`) as unknown }]);
  expect(diffNotes(none, { encryptFor: A }, { encryptFor: `${A}\r\n` }, URN)).toEqual([]);
  // Not known yet (another resource's output), or a replacement, which creates its key for the program's recipient.
  expect(diffNotes(none, { encryptFor: A }, { encryptFor: UNKNOWN }, URN)).toEqual([]);
  expect(diffNotes({ ...none, changed: ["user"], replaces: ["user"] }, { encryptFor: A }, { encryptFor: B }, URN)).toEqual([]);
  // A key created without it: its plain value stays in state, which the warning says.
  expect(diffNotes(none, { keyAvailable: true }, { encryptFor: B }, URN)[0]?.message).toMatch(/^encryptFor was set on a key created without it.*--replace urn:pulumi:dev::p::palette:index:ApiKey::ci/);
});

it("names a rotation's reason, and keepPrevious when the replaced key is kept", () => {
  const rotation: KeyDiff = { ...none, replaces: ["rotateBefore"], rotation: { expiresAt: "2026-12-29T10:00:00.000Z", rotateBefore: "7d" } };
  expect(diffNotes(rotation, {}, {}, URN)).toEqual([{ level: "warning", message: "rotation due: expires 2026-12-29, rotateBefore 7d: a new key replaces this one." }]);
});

it("finds the engine's address after the flags the engine passes", () => {
  expect(engineAddressOf(["--logtostderr", "-v=9", "127.0.0.1:4567"])).toBe("127.0.0.1:4567");
  expect(engineAddressOf(["--tracing", "file:/tmp/t", "127.0.0.1:1"])).toBe("127.0.0.1:1");
  expect(engineAddressOf([])).toBeUndefined();
});
