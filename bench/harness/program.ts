/**
 * What a Pulumi program sends the provider for `new ApiKey(name, args)`. The `__provider` text is the
 * one ApiKey itself serializes, captured once under Pulumi's mock runtime; the other inputs follow
 * ApiKey's own rule (the args plus `__logicalName`; output names it passes as undefined are dropped
 * on the wire, as a Struct cannot hold undefined).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ApiKeyArgs } from "../../provider/index";

export type Props = Record<string, unknown>;

/** A program's view of one key: `ApiKeyArgs` with plain values only. */
export type KeyArgs = { [K in keyof ApiKeyArgs]?: pulumi.Unwrap<ApiKeyArgs[K]> };

let captured: Promise<string> | undefined;

/** The serialized provider (`__provider`) of an ApiKey, as a program would send it. */
export function providerText(): Promise<string> {
  captured ??= capture();
  return captured;
}

async function capture(): Promise<string> {
  let inputs: Props | undefined;
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs = args.inputs as Props;
        return { id: `mock-${args.name}`, state: args.inputs };
      },
      call: () => ({}),
    },
    "palette-reliability",
    "dev",
    false,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the runtime settings above, as a program's import would be
  const { ApiKey } = require("../../provider/index") as typeof import("../../provider/index");
  const res = new ApiKey("probe", {});
  await new Promise((resolve) => res.urn.apply(resolve));
  const text = inputs?.__provider;
  if (typeof text !== "string") throw new Error("ApiKey registered no __provider text");
  return text;
}

/** The inputs of `new ApiKey(name, args)` as the provider receives them. */
export function programInputs(name: string, args: KeyArgs, provider: string): Props {
  return JSON.parse(JSON.stringify({ ...args, __logicalName: name, __provider: provider })) as Props;
}
