/**
 * The package's functions (Invoke): `getUser` by email and `getApiKeys`, on the same client as the
 * resource's operations. Bad arguments are failures naming the argument, as Check's are.
 */
import type { PaletteClient } from "../../sdk";
import { clockFrom } from "../core/clock";
import { observe } from "../core/observed";
import { ownerEmailProblem } from "../core/rules";
import { GET_API_KEYS, GET_USER } from "./schema";
import type { Props } from "./wire";

export interface InvokeResult {
  result?: Props;
  failures: { property: string; reason: string }[];
}

let clock: (() => Date) | undefined;

export async function invoke(token: string, args: Props, client: () => PaletteClient, signal: AbortSignal): Promise<InvokeResult> {
  if (token === GET_USER) {
    const email = args.email;
    const reason = typeof email !== "string" ? "is required: the user's email" : ownerEmailProblem(email);
    if (reason !== undefined || typeof email !== "string") return { failures: [{ property: "email", reason: reason ?? "is required" }] };
    const user = await client().users.findByEmail(email, { signal });
    return { result: { uid: user.uid, email: user.email || email, name: `${user.firstName} ${user.lastName}`.trim(), active: user.active }, failures: [] };
  }
  if (token === GET_API_KEYS) {
    const now = (clock ??= clockFrom(process.env))();
    const keys = (await client().apiKeys.list({ signal }))
      .map((k) => observe(k, now))
      .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.uid.localeCompare(b.uid));
    return { result: { keys }, failures: [] };
  }
  throw new UnknownFunctionError(token);
}

/** A token this package has no function for. */
export class UnknownFunctionError extends Error {
  constructor(token: string) {
    super(`palette has no function ${token}: its functions are ${GET_USER} and ${GET_API_KEYS}`);
    this.name = "UnknownFunctionError";
  }
}
