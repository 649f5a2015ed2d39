/**
 * The runner's child processes (the provider host, a program file's process) never outlive it.
 * @pulumi/pulumi's dynamic-provider host has no check for its parent going away, and a child that
 * leads a process group of its own gets no terminal's Ctrl-C: a runner that exits while one runs
 * (a second Ctrl-C, an uncaught error, `process.exit`) would leave it running forever, finishing
 * creates that nobody records. So every child is killed when this process exits. Only a runner
 * killed by a signal's default action or SIGKILL escapes this hook, which is why a child leads its
 * own group only while the runner handles SIGINT/SIGTERM itself (`RunOptions.cancelOnSignals`).
 */
import type { ChildProcess } from "node:child_process";

/** Running children, and whether each leads its own process group (then its whole group is ended). */
const running = new Map<ChildProcess, boolean>();
let hooked = false;

/** Ends `child` (and its group, when it leads one) when this process exits, unless it has ended first. */
export function endWithRunner(child: ChildProcess, ownProcessGroup: boolean): void {
  if (!hooked) {
    hooked = true;
    process.on("exit", endChildren);
  }
  running.set(child, ownProcessGroup);
  const forget = (): void => void running.delete(child);
  child.once("exit", forget);
  child.once("error", forget);
}

/**
 * SIGKILLs every running child now (SIGKILL: an exit hook cannot wait, and a child must not go on
 * with a write whose answer can no longer be recorded).
 */
export function endChildren(): void {
  for (const [child, ownGroup] of running) {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(ownGroup ? -pid : pid, "SIGKILL");
    } catch {
      // Already gone between the check and the kill.
    }
  }
}
