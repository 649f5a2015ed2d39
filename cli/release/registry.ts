/**
 * A static provider registry (Terraform's provider registry protocol v1) around a release: plain
 * files that any static host serves at the base URL.
 *
 *   .well-known/terraform.json                                   {"providers.v1": "<path>/v1/providers/"}
 *   v1/providers/<ns>/palette/versions                           versions, protocols, platforms
 *   v1/providers/<ns>/palette/<version>/download/<os>/<arch>     filename, shasum, URLs, signing key
 *   releases/<version>/<the release artifacts>
 *
 * Every URL in the documents is a path from the host's root (`/<base path>/...`): Terraform resolves
 * them against the document it fetched, so the same files serve over any scheme and port.
 * Discovery is always read from the host's root, so under a base URL with a path (GitHub Pages of a
 * project) `.well-known/terraform.json` must also be copied to the host's root.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVIDER_ADDRESS } from "../../provider/terraform/distribution";
import { UsageError } from "../io";
import type { Release } from "./artifacts";
import type { Signer } from "./sign";

/** The base URL as a URL ending in `/`; UsageError unless http(s) without query or fragment. */
export function parseBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--base-url ${JSON.stringify(text)} is not a URL: give e.g. https://registry.example.com/`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError(`--base-url must be http(s), not ${url.protocol.replace(/:$/, "")}: Terraform downloads providers over http(s) only`);
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") throw new UsageError("--base-url takes no query, fragment or credentials");
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

const NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export function checkNamespace(ns: string): string {
  if (!NAMESPACE.test(ns)) throw new UsageError(`--namespace ${JSON.stringify(ns)}: a registry namespace is lower-case letters, digits and dashes`);
  return ns;
}

export interface RegistryLayout {
  /** `host[:port]/<ns>/palette`, for required_providers. */
  source: string;
  /** Files written, relative to the registry directory. */
  files: string[];
}

const writeJson = (root: string, rel: string, value: unknown, files: string[]): void => {
  const file = path.join(root, ...rel.split("/"));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  files.push(rel);
};

/** Where `writeRegistry` puts the release artifacts, relative to the registry directory. */
export const releasePath = (version: string): string => `releases/${version}`;

/** Writes the registry documents into `dir`, whose `releasePath(version)` already holds `release`. */
export function writeRegistry(dir: string, base: URL, namespace: string, release: Release, signer: Signer): RegistryLayout {
  if (release.signature === undefined) throw new Error("a registry needs a signed release");
  const files: string[] = [];
  const root = base.pathname; // ends in "/"
  const artifact = (name: string): string => `${root}${releasePath(release.version)}/${name}`;
  const providers = `v1/providers/${namespace}/${PROVIDER_ADDRESS.type}`;
  writeJson(dir, ".well-known/terraform.json", { "providers.v1": `${root}v1/providers/` }, files);
  writeJson(dir, `${providers}/versions`, {
    versions: [{ version: release.version, protocols: ["6.0"], platforms: release.zips.map((z) => ({ os: z.platform.os, arch: z.platform.arch })) }],
  }, files);
  for (const zip of release.zips) {
    writeJson(dir, `${providers}/${release.version}/download/${zip.platform.os}/${zip.platform.arch}`, {
      protocols: ["6.0"],
      os: zip.platform.os,
      arch: zip.platform.arch,
      filename: zip.filename,
      download_url: artifact(zip.filename),
      shasum: zip.sha256,
      shasums_url: artifact(release.sums),
      shasums_signature_url: artifact(release.signature),
      signing_keys: { gpg_public_keys: [{ key_id: signer.keyId, ascii_armor: signer.publicKeyArmored }] },
    }, files);
  }
  return { source: `${base.host}/${namespace}/${PROVIDER_ADDRESS.type}`, files };
}

export const requiredProvidersBlock = (source: string, version: string): string => `terraform {
  required_providers {
    palette = {
      source  = "${source}"
      version = "${version}"
    }
  }
}
`;
