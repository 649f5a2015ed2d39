/**
 * `pulumi-palette-apikeys/provider/impl`: the entry every existing stack's serialized provider
 * requires (by package name, or as `dist/provider/impl.js` from a checkout). A compatibility
 * contract: it stays here, whatever the layout behind it.
 */
export * from "./pulumi/impl";
