/**
 * The emulator in a child process (emulator-child.js, over dist/): Palette is another machine, so a
 * request to it crosses a process boundary whether the provider host or the bench sends it, and the
 * emulator's heap is measured alone. Its request log is read over IPC, between timed calls.
 */
import { fork, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import type { EmulatorOptions } from "../../emulator";

/** A request the emulator logged. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

type Reply = { id: number; value?: unknown; error?: string };

interface Started {
  url: string;
  port: number;
  admin: { uid: string; apiKey: string };
}

export class EmulatorProcess {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private started: Started | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (m: Reply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`emulator process: ${m.error}`));
      else p?.resolve(m.value);
    });
    child.once("exit", () => {
      for (const p of this.pending.values()) p.reject(new Error("emulator process exited"));
      this.pending.clear();
    });
  }

  static async start(options: Pick<EmulatorOptions, "rateLimit" | "keyLimitPerUser">): Promise<EmulatorProcess> {
    const child = fork(path.join(__dirname, "emulator-child.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
    const emu = new EmulatorProcess(child);
    emu.started = (await emu.ask("start", options)) as Started;
    return emu;
  }

  private get info(): Started {
    if (this.started === undefined) throw new Error("emulator process not started");
    return this.started;
  }

  /** "http://127.0.0.1:<port>" */
  get url(): string {
    return this.info.url;
  }

  /** The seeded tenant admin. */
  get admin(): { uid: string; apiKey: string } {
    return this.info.admin;
  }

  /** A mark in the request log; {@link since} returns what was logged after it. */
  mark(): Promise<number> {
    return this.ask("mark") as Promise<number>;
  }

  since(mark: number): Promise<LoggedRequest[]> {
    return this.ask("since", mark) as Promise<LoggedRequest[]>;
  }

  /** The emulator process's heap after a forced garbage collection. */
  heapUsed(): Promise<number> {
    return this.ask("heapUsed") as Promise<number>;
  }

  keyCount(): Promise<number> {
    return this.ask("keyCount") as Promise<number>;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    await this.ask("close").catch(() => undefined);
    await exited;
  }

  private ask(type: string, arg?: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, type, arg });
    });
  }
}
