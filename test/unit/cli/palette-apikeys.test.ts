import { runCli, SUBCOMMANDS } from "../../../cli/palette-apikeys";
import { cliConfig, terraformPlatform } from "../../../cli/terraform-mirror";

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("palette-apikeys dispatcher", () => {
  test("--help lists every subcommand and exits 0", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    for (const name of Object.keys(SUBCOMMANDS)) expect(r.out).toContain(name);
  });

  test("no command, or an unknown one, is a usage error (2) that does not echo what was typed", async () => {
    expect((await run()).code).toBe(2);
    const r = await run("hunter2");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
    expect(r.err).not.toContain("hunter2");
  });

  test("terraform-mirror: --help exits 0; a missing directory, two directories or an unknown option exit 2", async () => {
    const help = await run("terraform-mirror", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--cli-config <file>/);
    for (const argv of [["terraform-mirror"], ["terraform-mirror", "a", "b"], ["terraform-mirror", "a", "--nope"]]) {
      const r = await run(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/terraform-mirror --help/);
    }
  });
});

describe("terraform-mirror pieces", () => {
  test("platforms take Terraform's spelling", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("win32", "x64")).toBeUndefined();
  });

  test("the CLI configuration installs terraform.local providers from the mirror only, with the path quoted for HCL", () => {
    const config = cliConfig('/tmp/a "b"/${x}');
    expect(config).toContain('path    = "/tmp/a \\"b\\"/$${x}"');
    expect(config).toMatch(/filesystem_mirror \{[\s\S]*?include = \["terraform\.local\/\*\/\*"\]/);
    expect(config).toMatch(/direct \{\s*exclude = \["terraform\.local\/\*\/\*"\]/);
  });
});
