/** The Palette wire contract: zod schemas and paths shared by the SDK and the emulator. */
export * from "./schemas";
export * from "./paths";
