// Lint rules that carry architecture: the import zones below are ARCHITECTURE.md's folder table made enforceable.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".demo/**", ".demo-terraform/**", "**/*.js", "**/*.mjs", "**/*.cjs", "!emulator/page/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: { "import-x/resolver": { node: { extensions: [".ts", ".js"] } } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            { target: "./sdk", from: ["./provider", "./emulator", "./runner", "./examples", "./test", "./cli"], message: "sdk/ depends on nothing else in this package." },
            { target: "./emulator", from: "./sdk", except: ["./wire"], message: "emulator/ shares only sdk/wire with the SDK." },
            { target: "./emulator", from: ["./provider", "./runner", "./examples", "./test", "./cli"], message: "emulator/ shares only sdk/wire." },
            { target: "./provider", from: "./sdk", except: ["./index.ts"], message: "provider/ uses the SDK's public entry only." },
            { target: "./provider", from: ["./emulator", "./runner", "./examples", "./test", "./cli"], message: "provider/ uses the SDK's public entry only." },
            { target: "./provider/core", from: ["./provider/pulumi", "./provider/terraform", "./provider/tfplugin6", "./provider/impl.ts", "./provider/index.ts"], message: "provider/core knows neither engine: the adapters depend on it, never the reverse." },
            { target: "./provider/pulumi", from: ["./provider/terraform", "./provider/tfplugin6", "./provider/native"], message: "the two engine adapters share only provider/core; the native plugin builds on the dynamic provider, never the reverse." },
            {
              target: "./provider/native",
              from: ["./provider/terraform", "./provider/tfplugin6", "./provider/impl.ts", "./provider/index.ts"],
              message: "the native Pulumi plugin uses provider/core and the Pulumi operations of provider/pulumi, nothing of Terraform's adapter.",
            },
            { target: ["./provider/core", "./provider/terraform", "./provider/tfplugin6", "./provider/impl.ts", "./provider/index.ts"], from: "./provider/native", message: "nothing but its own bin and SDK entry imports the native plugin." },
            {
              target: "./provider/tfplugin6",
              from: ["./provider/core", "./provider/pulumi", "./provider/terraform", "./provider/impl.ts", "./provider/index.ts", "./sdk", "./emulator", "./runner", "./cli", "./bench"],
              message: "provider/tfplugin6 is a generic Terraform plugin layer: it knows nothing of Palette, its SDK or the providers built on it.",
            },
            {
              target: "./provider/terraform",
              from: "./provider/tfplugin6",
              except: ["./index.ts", "./boot.ts"],
              message: "provider/terraform uses provider/tfplugin6 through its facade, index.ts (the launcher's boot script through boot.ts, which must not bring the gRPC server).",
            },
            // The toy provider of the tfplugin6 engine tests is the proof that the layer is generic: it may use the facade and nothing of Palette's.
            { target: "./test/engine/terraform/fixtures", from: "./provider/tfplugin6", except: ["./index.ts", "./boot.ts"], message: "the toy provider uses provider/tfplugin6 through its facade only." },
            { target: "./test/engine/terraform/fixtures", from: ["./provider/core", "./provider/pulumi", "./provider/terraform", "./sdk"], message: "the toy provider uses provider/tfplugin6 only: it proves the layer knows nothing of Palette." },
            { target: "./provider/terraform", from: ["./provider/pulumi", "./provider/impl.ts", "./provider/index.ts"], message: "the two engine adapters share only provider/core." },
            { target: "./runner", from: ["./test", "./examples", "./cli"], message: "nothing imports test/, examples/ or cli/." },
            { target: ["./sdk", "./provider", "./emulator", "./runner", "./cli", "./bench"], from: "./demo", message: "nothing imports demo/: it shows the package, it is no layer of it." },
            { target: "./demo", from: ["./test", "./examples", "./cli", "./bench"], message: "demo/ uses the runner, the provider, the emulator and the SDK only." },
            { target: "./bench", from: ["./test", "./examples"], message: "nothing imports test/ or examples/." },
            {
              target: "./bench",
              from: "./cli",
              except: ["./audit.ts", "./audit-html.ts", "./release/node-dist.ts", "./release/platforms.ts"],
              message: "bench/ measures only the audit and its HTML report of cli/ (and takes the single executable's pinned Node.js from cli/release/).",
            },
            { target: "./examples", from: ["./test", "./cli"], message: "nothing imports test/ or cli/." },
            { target: "./cli", from: "./sdk", except: ["./index.ts"], message: "cli/ uses the SDK's public entry only." },
            { target: "./cli", from: ["./emulator", "./runner", "./examples", "./test", "./bench"], message: "cli/ uses the SDK and the provider only." },
          ],
        },
      ],
      "no-restricted-imports": ["error", { paths: [{ name: "undici", message: "Only sdk/http/transport.ts talks to undici." }] }],
    },
  },
  {
    // The emulator's page script runs in the browser as is (no build step): a classic script, browser globals.
    files: ["emulator/page/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: { window: "readonly", document: "readonly", sessionStorage: "readonly", fetch: "readonly", setTimeout: "readonly", clearTimeout: "readonly", atob: "readonly", Option: "readonly" },
    },
    rules: { "@typescript-eslint/no-unused-vars": ["error", { caughtErrors: "none" }] },
  },
  {
    // The serialized loader resolves the implementation when the engine calls, never capturing it in
    // state; its text is pinned (test/fixtures/serialized-provider), so no comment may go inside it.
    files: ["provider/pulumi/api-key.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // The bench's raw-HTTP baselines send with undici itself, the SDK transport's own client.
    files: ["sdk/http/transport.ts", "test/**/*.ts", "bench/harness/overhead.ts", "bench/harness/memory.ts"],
    rules: { "no-restricted-imports": "off" },
  },
);
