/** The guard cli-process.test uses so that it never runs a dist/ built from older sources. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { staleBuildOutputs } from "../../helpers/fresh-build";

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "fresh-build-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (relative: string, mtimeSeconds: number): void => {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "");
  fs.utimesSync(file, mtimeSeconds, mtimeSeconds);
};

it("names sources whose build is missing or older, in sub-folders too, and passes a build as new or newer", () => {
  write("emulator/cli.ts", 1000);
  write("dist/emulator/cli.js", 2000);
  write("emulator/index.ts", 1000);
  write("dist/emulator/index.js", 1000);
  write("emulator/routes/control.ts", 3000);
  write("dist/emulator/routes/control.js", 2000);
  write("emulator/server.ts", 1000);
  write("emulator/types.d.ts", 5000);
  expect(staleBuildOutputs(["emulator"], root).sort()).toEqual([path.join("emulator", "routes", "control.ts"), path.join("emulator", "server.ts")]);
});

it("finds nothing stale when every source has a build at least as new", () => {
  write("sdk/wire/index.ts", 1000);
  write("dist/sdk/wire/index.js", 1500);
  expect(staleBuildOutputs(["sdk/wire"], root)).toEqual([]);
});
