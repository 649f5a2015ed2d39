/**
 * `npm run demo:terraform` end to end: the six steps pass with the real terraform, and nothing it
 * prints looks like a key value (32 characters of Palette's key alphabet) or holds a seeded credential.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO, terraformSuite } from "../../helpers/terraform";

jest.setTimeout(120_000);

const { suite } = terraformSuite(__filename);

suite("npm run demo:terraform", () => {
  test("six steps pass, each checked; no key value in the output", async () => {
    const demo = path.join(REPO, "dist/demo/terraform-demo.js");
    if (!fs.existsSync(demo)) throw new Error("dist/demo/terraform-demo.js is missing: run `npm run build` first");
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile(process.execPath, [demo], { cwd: REPO, env: { ...process.env, SPECTROCLOUD_APIKEY: "" }, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, out: stdout + stderr }),
      ),
    );
    expect(out).toContain("steps passed 6/6");
    expect(code).toBe(0);
    for (let step = 1; step <= 6; step++) expect(out).toContain(`PASS step ${step} `);
    expect(out).toMatch(/drift found: ci-bot active, alice-ci name/);
    expect(out).toMatch(/ci_bot_key\s+=\s+\(sensitive value\)/);
    expect(out.match(/\b[A-Za-z0-9]{32}\b/g) ?? []).toEqual([]);
  });
});
