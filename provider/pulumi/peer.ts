/**
 * `@pulumi/pulumi` is an optional peer: the Terraform provider, the SDK and the CLI run without it,
 * so Terraform-only users do not install it. The Pulumi entry does need it, and Node's bare
 * "Cannot find module" would not say which package or command fixes that.
 */
export const PULUMI_PEER = "@pulumi/pulumi";

export const missingPeerMessage = (): string =>
  `pulumi-palette-apikeys: the Pulumi resource (ApiKey) needs ${PULUMI_PEER}, which is not installed. ` +
  `Install it in your Pulumi project: npm install ${PULUMI_PEER} ` +
  `(the Terraform provider, the SDK at pulumi-palette-apikeys/sdk and the palette-apikeys CLI do not need it).`;

/** Throws the message above when `resolve` cannot find the peer; any other failure is rethrown as is. */
export function requirePulumiPeer(resolve: (id: string) => string = require.resolve): void {
  try {
    resolve(PULUMI_PEER);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") throw new Error(missingPeerMessage(), { cause: e });
    throw e;
  }
}
