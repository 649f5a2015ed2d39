/**
 * V8 settings of a plugin process, which Terraform starts, uses for a few calls and then waits for
 * while it exits.
 *
 * WebAssembly (undici's HTTP parser, llhttp) starts in V8's baseline compiler and is recompiled by
 * the optimizing one in a background thread once it has run enough; a process cannot exit before that
 * thread's job ends, and after a few HTTP calls that kept the exit waiting 150-300 ms (measured on 2
 * cores: ~20 ms without). A budget no short-lived process reaches keeps the baseline code; the
 * optimizing compiler stays available for what the baseline one cannot compile.
 *
 * Applied before the boot script compiles anything: V8 stamps a code cache with a hash of its flags
 * and rejects it under other ones, so the flags must be the same when a cache is made and when it is
 * used.
 */
import { setFlagsFromString } from "node:v8";

export const PLUGIN_V8_FLAGS = "--wasm-tiering-budget=2000000000";

export function applyPluginV8Flags(): void {
  setFlagsFromString(PLUGIN_V8_FLAGS);
}
