/**
 * Generates the TypeScript SDK of the native `palette` package (provider/native/sdk/index.ts) from
 * its schema (provider/native/schema.ts): one thin typed class or function per schema token, as
 * `pulumi package gen-sdk` would make them (the Pulumi CLI, and with it its codegen, is not
 * available here). test/unit/scripts/gen-native-sdk.test.ts fails when the file drifts from the schema.
 * Usage: npm run gen:native-sdk
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageSchema } from "../provider/native/schema";

export const SDK_FILE = path.join(__dirname, "..", "provider", "native", "sdk", "index.ts");

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  description?: string;
  secret?: boolean;
  replaceOnChanges?: boolean;
}
interface ObjectSpec {
  description?: string;
  properties?: Record<string, Property>;
  required?: string[];
}
interface Schema {
  name: string;
  version: string;
  config: { variables: Record<string, Property> };
  provider: { description: string; inputProperties: Record<string, Property> };
  types: Record<string, ObjectSpec>;
  resources: Record<string, ObjectSpec & { inputProperties: Record<string, Property>; requiredInputs?: string[] }>;
  functions: Record<string, { description: string; inputs?: ObjectSpec; outputs: ObjectSpec }>;
}

const PRIMITIVE: Record<string, string> = { string: "string", boolean: "boolean", integer: "number", number: "number" };

/** The last segment of a token: `palette:index:ApiKey` -> `ApiKey`. */
const nameOf = (token: string): string => token.slice(token.lastIndexOf(":") + 1);

/** A TypeScript type for a schema type; `args` picks the input flavour (`pulumi.Input` all the way down). */
function tsType(p: Property, args: boolean): string {
  const wrap = (t: string): string => (args ? `pulumi.Input<${t}>` : t);
  if (p.$ref !== undefined) return wrap(`${nameOf(p.$ref)}${args ? "Args" : ""}`);
  if (p.type === "array" && p.items !== undefined) return wrap(`${tsType(p.items, args)}[]`);
  const t = p.type !== undefined ? PRIMITIVE[p.type] : undefined;
  if (t === undefined) throw new Error(`gen-native-sdk: no TypeScript type for ${JSON.stringify(p)}`);
  return wrap(t);
}

const doc = (text: string | undefined, indent: string): string => (text === undefined || text === "" ? "" : `${indent}/** ${text.replace(/\*\//g, "*\\/")} */\n`);

function members(props: Record<string, Property>, required: readonly string[], args: boolean, indent = "  "): string {
  return Object.entries(props)
    .map(([k, p]) => `${doc(p.description, indent)}${indent}${args ? "" : "readonly "}${k}${required.includes(k) ? "" : "?"}: ${tsType(p, args)};\n`)
    .join("");
}

function typeDecls(types: Schema["types"]): string {
  return Object.entries(types)
    .map(([token, t]) => {
      const name = nameOf(token);
      return (
        `${doc(t.description, "")}export interface ${name} {\n${members(t.properties ?? {}, t.required ?? [], false)}}\n\n` +
        `${doc(t.description, "")}export interface ${name}Args {\n${members(t.properties ?? {}, t.required ?? [], true)}}\n`
      );
    })
    .join("\n");
}

function resourceDecl(token: string, r: Schema["resources"][string], version: string): string {
  const name = nameOf(token);
  const outputs = r.properties ?? {};
  const required = r.required ?? [];
  const secrets = Object.keys(outputs).filter((k) => outputs[k]?.secret === true);
  const replaceOnChanges = Object.keys(r.inputProperties).filter((k) => r.inputProperties[k]?.replaceOnChanges === true);
  const fields = Object.entries(outputs)
    .map(([k, p]) => `${doc(p.description, "  ")}  declare readonly ${k}: pulumi.Output<${tsType(p, false)}${required.includes(k) ? "" : " | undefined"}>;\n`)
    .join("");
  return `/** Inputs of {@link ${name}}. */
export interface ${name}Args {
${members(r.inputProperties, r.requiredInputs ?? [], true)}}

${doc(r.description, "")}export class ${name} extends pulumi.CustomResource {
  static readonly __pulumiType = ${JSON.stringify(token)};

  /** An existing ${name} by its id, read (never changed) by the provider. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ${name} {
    return new ${name}(name, undefined, { ...opts, id });
  }

  static override isInstance(obj: unknown): obj is ${name} {
    return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === ${name}.__pulumiType;
  }

${fields}
  constructor(name: string, args?: ${name}Args, opts?: pulumi.CustomResourceOptions) {
    const inputs: pulumi.Inputs = {};
    if (opts?.id === undefined) Object.assign(inputs, args);
    // Output-only properties are sent as undefined so the runtime resolves them (pulumi/pulumi#5174).
    for (const k of ${JSON.stringify(Object.keys(outputs))}) if (!(k in inputs)) inputs[k] = undefined;
    super(${name}.__pulumiType, name, inputs, pulumi.mergeOptions({ version: ${JSON.stringify(version)} }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ${JSON.stringify(secrets)}, replaceOnChanges: ${JSON.stringify(replaceOnChanges)} })));
  }
}
`;
}

function providerDecl(schema: Schema): string {
  const props = schema.provider.inputProperties;
  const secrets = Object.keys(props).filter((k) => props[k]?.secret === true);
  return `/** Settings of one {@link Provider} instance; each falls back to the stack's \`${schema.name}:\` config, then to its environment variable. */
export interface ProviderArgs {
${members(props, [], true)}}

${doc(schema.provider.description, "")}export class Provider extends pulumi.ProviderResource {
  static readonly __pulumiType = ${JSON.stringify(schema.name)};

  constructor(name: string, args?: ProviderArgs, opts?: pulumi.ResourceOptions) {
    const inputs: pulumi.Inputs = {};
    for (const [k, v] of Object.entries(args ?? {})) inputs[k] = ${JSON.stringify(secrets)}.includes(k) && v !== undefined ? pulumi.secret(v) : v;
    super(Provider.__pulumiType, name, inputs, pulumi.mergeOptions({ version: ${JSON.stringify(schema.version)} }, pulumi.mergeOptions(opts, { additionalSecretOutputs: ${JSON.stringify(secrets)} })));
  }
}
`;
}

function functionDecl(token: string, f: Schema["functions"][string], version: string): string {
  const name = nameOf(token);
  const result = `${name[0]?.toUpperCase()}${name.slice(1)}Result`;
  const argsName = `${name[0]?.toUpperCase()}${name.slice(1)}Args`;
  const hasArgs = f.inputs !== undefined;
  const argsDecl = hasArgs ? `/** Arguments of {@link ${name}}. */\nexport interface ${argsName} {\n${members(f.inputs?.properties ?? {}, f.inputs?.required ?? [], false).replace(/readonly /g, "")}}\n\n` : "";
  return `${argsDecl}/** What {@link ${name}} returns. */
export interface ${result} {
${members(f.outputs.properties ?? {}, f.outputs.required ?? [], false)}}

${doc(f.description, "")}export function ${name}(${hasArgs ? `args: ${argsName}, ` : ""}opts?: pulumi.InvokeOptions): Promise<${result}> {
  return pulumi.runtime.invoke(${JSON.stringify(token)}, ${hasArgs ? "{ ...args }" : "{}"}, { version: ${JSON.stringify(version)}, ...opts }) as Promise<${result}>;
}
`;
}

/** The SDK's text for `schema`. */
export function renderSdk(input: Record<string, unknown>): string {
  const schema = input as unknown as Schema;
  return [
    `// Generated by scripts/gen-native-sdk.ts from the ${schema.name} package schema (provider/native/schema.ts),`,
    "// version " + schema.version + ". Do not edit: run `npm run gen:native-sdk`.",
    'import * as pulumi from "@pulumi/pulumi";',
    "",
    typeDecls(schema.types),
    ...Object.entries(schema.resources).map(([token, r]) => resourceDecl(token, r, schema.version)),
    providerDecl(schema),
    ...Object.entries(schema.functions).map(([token, f]) => functionDecl(token, f, schema.version)),
  ].join("\n");
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(SDK_FILE), { recursive: true });
  fs.writeFileSync(SDK_FILE, renderSdk(packageSchema()));
  console.log(`wrote ${path.relative(process.cwd(), SDK_FILE)}`);
}
