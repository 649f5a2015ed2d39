import { createClock } from "../../../emulator/clock";

describe("createClock", () => {
  let real = 1_000;
  const clock = () => createClock(new Date("2030-01-01T00:00:00.000Z"), () => real);

  it("starts at the given time and runs with real time", () => {
    real = 1_000;
    const c = clock();
    expect(c.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    real += 1_500;
    expect(c.now().toISOString()).toBe("2030-01-01T00:00:01.500Z");
  });

  it("advances by a manual offset on top of real time, and set() jumps to an instant", () => {
    real = 0;
    const c = clock();
    c.advance(14 * 60_000);
    expect(c.now().toISOString()).toBe("2030-01-01T00:14:00.000Z");
    real += 10;
    c.set(new Date("2031-06-01T12:00:00.000Z"));
    expect(c.now().toISOString()).toBe("2031-06-01T12:00:00.000Z");
    real += 250;
    expect(c.now().toISOString()).toBe("2031-06-01T12:00:00.250Z");
  });

  it("refuses non-finite moves", () => {
    const c = clock();
    expect(() => c.advance(Number.NaN)).toThrow(RangeError);
    expect(() => c.set(new Date("nope"))).toThrow(RangeError);
  });
});
