/** The release zip writer, read back with a parser written from APPNOTE and with the system's unzip when present. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";
import { writeZip } from "../../../../cli/release/zip";

interface Parsed {
  name: string;
  madeBy: number;
  mode: number;
  dosTime: number;
  dosDate: number;
  data: Buffer;
}

/** The entries of `zip` from its central directory, each checked against its local header and CRC. */
function parse(zip: Buffer): Parsed[] {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: Parsed[] = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    const local = zip.readUInt32LE(at + 42);
    expect(zip.readUInt32LE(local)).toBe(0x04034b50);
    const compressed = zip.readUInt32LE(at + 20);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = inflateRawSync(zip.subarray(start, start + compressed));
    expect(data.length).toBe(zip.readUInt32LE(at + 24));
    expect(crc32(data)).toBe(zip.readUInt32LE(at + 16));
    entries.push({ name, madeBy: zip.readUInt16LE(at + 4) >> 8, mode: zip.readUInt32LE(at + 38) >>> 16, dosTime: zip.readUInt16LE(at + 12), dosDate: zip.readUInt16LE(at + 14), data });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

describe("writeZip", () => {
  const exe = Buffer.concat([Buffer.from("\x7fELF"), Buffer.alloc(70_000, 7), Buffer.from("tail")]);

  test("one regular file at the root with its run bit, made by unix, a fixed 1980 timestamp, no directory entries", () => {
    const entries = parse(writeZip([{ name: "terraform-provider-palette_v1.2.3", data: exe, mode: 0o755 }]));
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ name: "terraform-provider-palette_v1.2.3", madeBy: 3, mode: 0o100755, dosTime: 0, dosDate: (1 << 5) | 1 });
    expect(entry?.data.equals(exe)).toBe(true);
    expect(entries.filter((e) => e.name.endsWith("/"))).toEqual([]);
  });

  test("the same entries give the same bytes; other content or mode gives other bytes", () => {
    const a = writeZip([{ name: "x", data: exe, mode: 0o755 }]);
    expect(writeZip([{ name: "x", data: Buffer.from(exe), mode: 0o755 }]).equals(a)).toBe(true);
    expect(writeZip([{ name: "x", data: exe, mode: 0o644 }]).equals(a)).toBe(false);
    expect(parse(writeZip([{ name: "a", data: Buffer.from("1"), mode: 0o644 }, { name: "b", data: Buffer.alloc(0), mode: 0o600 }])).map((e) => [e.name, e.mode, e.data.toString()])).toEqual([
      ["a", 0o100644, "1"],
      ["b", 0o100600, ""],
    ]);
  });

  test("refuses a directory entry", () => {
    expect(() => writeZip([{ name: "dir/", data: Buffer.alloc(0), mode: 0o755 }])).toThrow(/not a file name/);
  });

  test("unzip (when present) lists it as -rwxr-xr-x and extracts it intact", () => {
    let unzip = true;
    try {
      execFileSync("unzip", ["-v"], { stdio: "ignore" });
    } catch {
      unzip = false;
    }
    if (!unzip) return console.warn("unzip absent: the parser above is the only reader");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zip-test-"));
    try {
      fs.writeFileSync(path.join(dir, "t.zip"), writeZip([{ name: "provider", data: exe, mode: 0o755 }]));
      expect(execFileSync("unzip", ["-Z", "t.zip"], { cwd: dir, encoding: "utf8" })).toMatch(/-rwxr-xr-x .* unx .* provider/);
      execFileSync("unzip", ["-q", "t.zip", "-d", "out"], { cwd: dir });
      expect(fs.readFileSync(path.join(dir, "out/provider")).equals(exe)).toBe(true);
      expect(fs.statSync(path.join(dir, "out/provider")).mode & 0o777).toBe(0o755);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
