/** Taking `bin/node` out of an npm tarball, and the integrity check of what the registry served. */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { matchesIntegrity } from "../../../../cli/release/node-dist";
import { extractFile } from "../../../../cli/release/tarball";

/** A ustar member; `pax` first adds an extended header carrying the real path. */
function member(name: string, data: Buffer, type = "0"): Buffer {
  const header = Buffer.alloc(512);
  header.write(name.slice(0, 100), 0);
  header.write("0000644\0", 100);
  header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write(type, 156);
  header.write("ustar\0", 257);
  return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}
const paxRecord = (key: string, value: string): Buffer => {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return Buffer.from(`${length}${body}`);
};

test("extracts the named regular file, also where a pax header gives its path", () => {
  const node = Buffer.from("the node binary");
  const tgz = gzipSync(
    Buffer.concat([
      member("package/package.json", Buffer.from("{}")),
      member("PaxHeader/x", paxRecord("path", "package/bin/node"), "x"),
      member("package/bin/trunc", node),
      member("package/bin/other", Buffer.from("no")),
      Buffer.alloc(1024),
    ]),
  );
  expect(extractFile(tgz, "package/bin/node").toString()).toBe("the node binary");
  expect(extractFile(tgz, "package/package.json").toString()).toBe("{}");
  expect(() => extractFile(tgz, "package/bin/node.exe")).toThrow(/holds no package\/bin\/node\.exe/);
});

test("integrity: the strongest sha named must match", () => {
  const data = Buffer.from("tarball");
  const sri = (alg: string, d: Buffer) => `${alg}-${createHash(alg).update(d).digest("base64")}`;
  expect(matchesIntegrity(data, sri("sha512", data))).toBe(true);
  expect(matchesIntegrity(data, sri("sha512", Buffer.from("other")))).toBe(false);
  // sha1 alone is not enough, and a weaker match does not outvote a stronger mismatch.
  expect(matchesIntegrity(data, `sha1-${createHash("sha1").update(data).digest("base64")}`)).toBe(false);
  expect(matchesIntegrity(data, `${sri("sha256", data)} ${sri("sha512", Buffer.from("other"))}`)).toBe(false);
});
