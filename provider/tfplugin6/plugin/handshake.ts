/**
 * go-plugin's launch contract: the environment Terraform starts a plugin with, and the one line the
 * plugin answers with on stdout.
 */

export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
export const PROTOCOL_VERSION = 6;

/**
 * Why this process cannot serve Terraform, or undefined when the environment is Terraform's.
 * `launchHint` is the provider's advice to someone who ran it by hand: how Terraform gets to start it.
 */
export function launchProblem(env: Readonly<Record<string, string | undefined>>, launchHint?: string): string | undefined {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    const notByHand = "This is a Terraform provider plugin: Terraform starts it, it is not meant to be run directly.";
    return launchHint !== undefined ? `${notByHand}\n${launchHint}` : notByHand;
  }
  // Absent means go-plugin's default, the plugin's own version; Terraform always sends it ("5,6" or "6,5").
  const offered = env.PLUGIN_PROTOCOL_VERSIONS;
  if (offered !== undefined && !offered.split(",").map((v) => v.trim()).includes(String(PROTOCOL_VERSION))) {
    return `This provider speaks plugin protocol ${PROTOCOL_VERSION} only (Terraform 1.0 or later); this Terraform offers ${offered}.`;
  }
  return undefined;
}

/**
 * `1|6|unix|<socket>|grpc|<cert>`: core protocol, app protocol, network, address, protocol, then
 * the server certificate's DER in base64 without padding (Go's RawStdEncoding; padding fails the
 * parse). The certificate field is empty when serving plaintext.
 */
export function handshakeLine(socketPath: string, certDer?: Buffer): string {
  const cert = certDer === undefined ? "" : certDer.toString("base64").replace(/=+$/, "");
  return `1|${PROTOCOL_VERSION}|unix|${socketPath}|grpc|${cert}\n`;
}
