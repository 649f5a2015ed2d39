/**
 * What the suites through the real dynamic-provider host share: the repository (the host's cwd, so
 * that it loads dist/provider/impl.js), the URN the engine gives an ApiKey, a resource's state as the
 * engine keeps it, and what a Pulumi program sends for `new ApiKey(name, args)`: the inputs (with
 * `__provider`) exactly as the SDK registers them, captured under pulumi.runtime.setMocks. The suites
 * feed these to the real provider host, so the serialized provider under test is the one ApiKey
 * itself produced.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ApiKeyArgs } from "../../../provider/index";
import type { PropertyMap } from "../../../runner/wire-values";
import { urnOf } from "../../helpers/urn";

/** The repository: the host's cwd, from which it loads dist/provider/impl.js. */
export const REPO = path.resolve(__dirname, "../../..");
const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";

/** The URN the engine gives the ApiKey `name` of the stack palette-demo/dev. */
export const urn = (name: string): string => urnOf({ project: "palette-demo", stack: "dev", type: TYPE, name });

/** One resource's state as the engine keeps it. */
export interface State {
  id: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
}

type Props = Record<string, unknown>;

const registered = new Map<string, Props>();
let ready = false;

function ensureMocks(): void {
  if (ready) return;
  ready = true;
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.set(args.name, args.inputs as Props);
        return { id: `mock-${args.name}`, state: args.inputs };
      },
      call: () => ({}),
    },
    "palette-demo",
    "dev",
    false,
  );
}

/** The inputs the program would send for `new ApiKey(name, args)`, `__logicalName` and `__provider` included. */
export async function programInputs(name: string, args: ApiKeyArgs): Promise<Props> {
  ensureMocks();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after setMocks, as the engine loads a program
  const { ApiKey } = require("../../../provider/index") as typeof import("../../../provider/index");
  // Each call is one run of the program: the same logical name may register again.
  registered.delete(name);
  const res = new ApiKey(name, args);
  await new Promise((resolve) => res.urn.apply(resolve));
  const inputs = registered.get(name);
  if (inputs === undefined) throw new Error(`ApiKey ${name} was not registered`);
  return inputs;
}
