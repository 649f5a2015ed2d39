/**
 * The pinned texts of the serialized provider (`__provider`), one per release that changed it:
 * test/fixtures/serialized-provider/<version>.txt. The newest is what the package produces now; every
 * one of them is still in some user's state, so all must keep working.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const FIXTURES = path.resolve(__dirname, "../fixtures/serialized-provider");

export interface PinnedText {
  version: string;
  file: string;
  text: string;
}

const byVersion = (a: string, b: string): number => {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) - (y?.[i] ?? 0);
  return 0;
};

/** Every pinned text, oldest first. */
export function pinnedTexts(): PinnedText[] {
  return fs
    .readdirSync(FIXTURES)
    .filter((f) => /^\d+\.\d+\.\d+\.txt$/.test(f))
    .map((f) => f.slice(0, -".txt".length))
    .sort(byVersion)
    .map((version) => {
      const file = path.join(FIXTURES, `${version}.txt`);
      return { version, file, text: fs.readFileSync(file, "utf8") };
    });
}

/** The text the package must produce now: the newest pinned one. */
export function currentText(): PinnedText {
  const all = pinnedTexts();
  const newest = all[all.length - 1];
  if (newest === undefined) throw new Error(`no pinned text in ${FIXTURES}`);
  return newest;
}

/**
 * Fails, explaining the contract, unless `actual` is the current pinned text. The actual text is
 * written to the OS temp directory, so that a deliberate change can be pinned from that file.
 */
export function expectPinned(actual: string, producedBy: string): void {
  const pinned = currentText();
  if (actual === pinned.text) return;
  const written = path.join(os.tmpdir(), "serialized-provider.actual.txt");
  fs.writeFileSync(written, actual);
  const relative = path.relative(path.resolve(__dirname, "../.."), pinned.file);
  const message = [
    `The serialized provider that ${producedBy} produces differs from ${relative}.`,
    "",
    "Every ApiKey in every user's stack holds this text in its state (`__provider`), and `pulumi refresh`",
    "and `pulumi destroy` run the text in the state, not the installed package: once released, a text",
    "runs against every later version of the package. Changing it is a compatibility change:",
    "  1. Old texts must keep working: test/package/serialized-provider.test.ts runs every pinned text",
    "     against the current implementation (pulumi-palette-apikeys/provider/impl and its functions).",
    "  2. If the change is deliberate, pin the new text as test/fixtures/serialized-provider/<next version>.txt",
    `     (never edit a released one). It was written to ${written}.`,
    '  3. Record it in CHANGELOG.md under "Compatibility".',
    "An upgrade of @pulumi/pulumi whose closure serializer writes different text changes it too: pin and",
    "record that the same way.",
    "",
    firstDifference(pinned.text, actual),
  ].join("\n");
  throw new Error(message);
}

/** The first line that differs, with a little context from both texts. */
function firstDifference(pinned: string, actual: string): string {
  const [a, b] = [pinned.split("\n"), actual.split("\n")];
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (lines: string[]) => lines.slice(Math.max(0, i - 2), i + 3).map((l, k) => `${Math.max(0, i - 2) + k + 1}: ${l}`);
  return ["first difference at line " + (i + 1), "--- pinned", ...around(a), "--- actual", ...around(b)].join("\n");
}
