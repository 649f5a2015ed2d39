/**
 * A deterministic zip writer for release archives (APPNOTE 6.3): each entry a regular file deflated
 * with node:zlib, a fixed timestamp, unix "made by" with the file mode in the external attributes
 * (Terraform keeps the run bit from there), no directory entries (they would enter the archive's h1:
 * hash but not the unpacked one). Same entries, same bytes. Sizes stay under 4 GiB: no zip64.
 * Deflate level 6: level 9 takes 2.6 times as long on a 128 MB executable for 0.3% less.
 */
import { crc32, deflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix permission bits, e.g. 0o755. */
  mode: number;
}

/** 1980-01-01 00:00:00, the earliest MS-DOS time: no clock enters the archive. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const S_IFREG = 0o100000;
const VERSION_MADE_BY = (3 << 8) | 20; // unix, spec 2.0
const VERSION_NEEDED = 20;
const DEFLATE = 8;
const UTF8_NAMES = 1 << 11;

export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (entry.name === "" || entry.name.endsWith("/")) throw new Error(`zip entry ${JSON.stringify(entry.name)} is not a file name`);
    const name = Buffer.from(entry.name, "utf8");
    const compressed = deflateRawSync(entry.data, { level: 6 });
    const crc = crc32(entry.data);
    if (entry.data.length >= 0xffffffff || offset + compressed.length >= 0xffffffff) throw new Error("zip entry over 4 GiB: zip64 is not written");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, compressed);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION_MADE_BY, 4);
    header.writeUInt16LE(VERSION_NEEDED, 6);
    header.writeUInt16LE(UTF8_NAMES, 8);
    header.writeUInt16LE(DEFLATE, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    // extra 30, comment 32, disk 34, internal attributes 36: all zero
    header.writeUInt32LE((((S_IFREG | (entry.mode & 0o7777)) << 16) >>> 0) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + compressed.length;
  }
  const centralSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
