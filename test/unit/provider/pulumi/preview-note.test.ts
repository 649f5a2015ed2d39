/**
 * A preview without credentials says, once per program, that nothing was checked against Palette;
 * with credentials it says nothing (the provider's check then verifies them).
 */
import * as pulumi from "@pulumi/pulumi";

for (const k of Object.keys(process.env)) if (k.startsWith("SPECTROCLOUD_")) delete process.env[k];
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: () => ({}) }, "palette-demo", "dev", true);
const logged: string[] = [];
jest.spyOn(pulumi.log, "info").mockImplementation(async (message: string) => void logged.push(message));
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after setMocks and the spy on pulumi.log, as the engine loads a program
const { ApiKey } = require("../../../../provider/index") as typeof import("../../../../provider/index");
/** Lets the registration (which serializes the provider) finish inside the test. */
const registered = (r: InstanceType<typeof ApiKey>): Promise<unknown> => new Promise((resolve) => r.id.apply(resolve));

describe("a preview", () => {
  it("says nothing when credentials are configured (the provider verifies them)", async () => {
    process.env.SPECTROCLOUD_APIKEY = "k";
    const key = new ApiKey("with-credentials");
    delete process.env.SPECTROCLOUD_APIKEY;
    await registered(key);
    expect(logged).toEqual([]);
  });

  it("without credentials says once that nothing was checked against Palette", async () => {
    await Promise.all([registered(new ApiKey("a")), registered(new ApiKey("b"))]);
    expect(logged).toEqual([expect.stringContaining("checked the ApiKey inputs only and nothing against Palette")]);
  });
});
