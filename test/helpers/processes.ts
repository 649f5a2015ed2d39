/**
 * Processes as Linux's /proc shows them, for tests that must prove a process tree is gone (a
 * provider host left behind keeps finishing creates that nobody records).
 */
import * as fs from "node:fs";

/** `pid`'s state letter and parent, or undefined when there is no such process. */
function stat(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
  const [state = "", ppid = "0"] = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state, ppid: Number(ppid) };
}

/** Every process below `pid` (children, their children, ...), as /proc shows them now. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (s !== undefined) parentOf.set(Number(entry), s.ppid);
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, p] of parentOf) {
      if (p !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Whether `pid` runs: exists and is not a zombie (an ended child that nobody has reaped runs nothing). */
export function running(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z";
}

/**
 * The pids of `pids` still running after waiting up to `limitMs` for them to end (a process killed
 * a moment ago takes a moment to die). A bounded wait for the answer, not a measured time.
 */
export async function stillRunning(pids: readonly number[], limitMs = 5_000): Promise<number[]> {
  const until = Date.now() + limitMs;
  for (;;) {
    const left = pids.filter(running);
    if (left.length === 0 || Date.now() >= until) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGKILLs whatever of `pids` still runs: a test's clean-up when it found processes left behind. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids.filter(running)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
}
