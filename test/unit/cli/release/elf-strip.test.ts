/** The release's ELF strip, on small ELF files laid out here as a linker would (and, in release.test.ts, on Node's own binary). */
import { elfSections, stripElf } from "../../../../cli/release/elf-strip";

const NAMES = "\0.text\0.symtab\0.shstrtab\0.rela.text\0";
const nameAt = (n: string): number => NAMES.indexOf(`\0${n}\0`) + 1;

interface Part {
  name: string;
  type: number;
  flags: number;
  data: Buffer;
  link?: number;
  info?: number;
}

/** An ELF64 LE executable: one PT_LOAD over the header and the loaded sections, then the others, the names, the headers. */
function elf(order: "loaded first" | "symtab first"): Buffer {
  const text: Part = { name: ".text", type: 1, flags: 0x6, data: Buffer.alloc(16, 0xab) };
  const symtab: Part = { name: ".symtab", type: 2, flags: 0, data: Buffer.alloc(24, 0x5a) };
  // A relocation section that applies to .text (sh_info) and names its symbols' table (sh_link): both renumbered or cleared.
  const rela: Part = { name: ".rela.text", type: 4, flags: 0x2 | 0x40, data: Buffer.alloc(24, 0x11), link: 2, info: 1 };
  const parts = order === "loaded first" ? [text, rela, symtab] : [symtab, text, rela];
  const sections: { part: Part; offset: number }[] = [];
  let at = 64 + 56;
  for (const part of parts) {
    sections.push({ part, offset: at });
    at += part.data.length;
  }
  const names = at;
  at += NAMES.length;
  const shoff = (at + 7) & ~7;
  // Headers in a fixed order: null, .text, .symtab, .rela.text, .shstrtab.
  const ordered = [text, symtab, rela].map((p) => sections.find((s) => s.part === p) ?? { part: p, offset: 0 });
  const out = Buffer.alloc(shoff + 5 * 64);
  out.writeUInt32BE(0x7f454c46, 0);
  out[4] = 2;
  out[5] = 1;
  out[6] = 1;
  out.writeUInt16LE(2, 0x10);
  out.writeBigUInt64LE(64n, 0x20);
  out.writeBigUInt64LE(BigInt(shoff), 0x28);
  out.writeUInt16LE(64, 0x34);
  out.writeUInt16LE(56, 0x36);
  out.writeUInt16LE(1, 0x38);
  out.writeUInt16LE(64, 0x3a);
  out.writeUInt16LE(5, 0x3c);
  out.writeUInt16LE(4, 0x3e);
  const loadedEnd = Math.max(...sections.filter((s) => (s.part.flags & 2) !== 0).map((s) => s.offset + s.part.data.length));
  out.writeUInt32LE(1, 64);
  out.writeBigUInt64LE(0n, 64 + 8);
  out.writeBigUInt64LE(BigInt(loadedEnd), 64 + 0x20);
  for (const s of sections) s.part.data.copy(out, s.offset);
  out.write(NAMES, names, "latin1");
  const header = (i: number, name: string, type: number, flags: number, offset: number, size: number, link = 0, info = 0): void => {
    const h = shoff + i * 64;
    out.writeUInt32LE(nameAt(name), h);
    out.writeUInt32LE(type, h + 4);
    out.writeBigUInt64LE(BigInt(flags), h + 8);
    out.writeBigUInt64LE(BigInt(offset), h + 0x18);
    out.writeBigUInt64LE(BigInt(size), h + 0x20);
    out.writeUInt32LE(link, h + 0x28);
    out.writeUInt32LE(info, h + 0x2c);
  };
  ordered.forEach((s, i) => header(i + 1, s.part.name, s.part.type, s.part.flags, s.offset, s.part.data.length, s.part.link ?? 0, s.part.info ?? 0));
  header(4, ".shstrtab", 3, 0, names, NAMES.length);
  return out;
}

const linkOf = (file: Buffer, index: number): [number, number] => {
  const h = Number(file.readBigUInt64LE(0x28)) + index * 64;
  return [file.readUInt32LE(h + 0x28), file.readUInt32LE(h + 0x2c)];
};

describe("stripElf", () => {
  test("drops the unloaded sections after the loaded bytes, keeps the loaded ones byte for byte, and renumbers the links", () => {
    const input = elf("loaded first");
    const out = stripElf(input);
    const before = elfSections(input) ?? [];
    const after = elfSections(out) ?? [];
    expect(before.map((s) => s.name)).toEqual(["", ".text", ".symtab", ".rela.text", ".shstrtab"]);
    expect(after.map((s) => s.name)).toEqual(["", ".text", ".rela.text", ".shstrtab"]);
    expect(out.length).toBeLessThan(input.length);
    for (const name of [".text", ".rela.text"]) {
      const [b, a] = [before.find((s) => s.name === name), after.find((s) => s.name === name)];
      expect(a?.offset).toBe(b?.offset);
      expect(out.subarray(a?.offset, (a?.offset ?? 0) + (a?.size ?? 0))).toEqual(input.subarray(b?.offset, (b?.offset ?? 0) + (b?.size ?? 0)));
    }
    // .rela.text linked the dropped .symtab (now none) and applies to .text (still index 1).
    expect(linkOf(out, 2)).toEqual([0, 1]);
    expect(out.readUInt16LE(0x3e)).toBe(3);
    expect(stripElf(out)).toBe(out);
    expect(stripElf(input).equals(out)).toBe(true);
  });

  test("leaves alone what it cannot cut off at the end, and what is no 64-bit little-endian ELF", () => {
    const interleaved = elf("symtab first");
    expect(stripElf(interleaved)).toBe(interleaved);
    const pe = Buffer.from("MZ this is a Windows executable");
    expect(stripElf(pe)).toBe(pe);
    const big = elf("loaded first");
    big[5] = 2;
    expect(stripElf(big)).toBe(big);
  });
});
