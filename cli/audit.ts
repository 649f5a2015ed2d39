/**
 * `palette-apikeys audit`: lists the API keys the caller may see and flags the ones that need a
 * person: expired, expiring soon, revoked, orphaned (the owner left the tenant or is disabled) and
 * unmanaged (in no given Pulumi or Terraform state), plus managed keys that no longer exist.
 *
 * Requests: one `GET /v1/apiKeys` (it returns every visible key) and the paged `GET /v1/users`,
 * through the SDK's client-side rate limiter, so a tenant of any size costs a handful of requests.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { parseExpiresIn } from "../provider/core/expiry";
import { environmentSource, resolveFrom, SETTING_ENV } from "../provider/core/settings";
import { apiKeyStatus, isPaletteError, PaletteClient, type ApiKey, type User } from "../sdk";
import { keysInPulumiExport, keysInTerraformState, StateFormatError, type ManagedKey } from "./audit-states";
import { renderAuditHtml } from "./audit-html";
import { FLAGS, TABLE_HEAD, tableRows, type AuditedKey, type AuditFlag, type AuditReport, type MissingKey, type OwnerState } from "./audit-report";
import { UsageError, type CliIo } from "./io";

export { keysInPulumiExport, keysInTerraformState, type ManagedKey } from "./audit-states";
export { FLAGS, type AuditedKey, type AuditFlag, type AuditReport, type ManagedAs, type MissingKey, type OwnerState } from "./audit-report";

/** The exit code when a `--fail-on` category matched: distinct from errors (1) and usage (2). */
export const EXIT_FINDINGS = 3;


export const USAGE = `Usage: palette-apikeys audit [options]

Lists the Palette API keys the caller may see, with owner, status, expiry and age, and flags
expired, expiring, revoked, orphaned (owner gone or disabled) and unmanaged keys, and managed
keys that no longer exist. Credentials come from SPECTROCLOUD_HOST and SPECTROCLOUD_APIKEY (or
SPECTROCLOUD_USERNAME and SPECTROCLOUD_PASSWORD), as for the providers.

Options:
  --within <duration>          flag keys expiring within this time, e.g. 14d or 12h  [default: 14d]
  --pulumi-state <file>        a \`pulumi stack export\` JSON; keys in it are managed (repeatable)
  --terraform-state <file>     a \`terraform show -json\` JSON or a raw state (\`terraform state pull\`,
                               version 4); keys in it are managed (repeatable)
  --fail-on <flags>            exit ${EXIT_FINDINGS} when a key has one of these flags (comma-separated):
                               ${FLAGS.join(", ")}
  --allow-unknown-owners       let --fail-on orphaned pass when the credentials cannot see owners
  --json                       print one JSON document instead of a table
  --html <file>                also write the report as one self-contained HTML file: the counts
                               per flag, a timeline of expiries, the findings (checked writable
                               before any request; exit 2 when it is not)
  -h, --help                   show this help

Orphaned needs a tenant admin (only they may list users); for other callers the owner column
reads "unknown", no key is flagged orphaned, and --fail-on orphaned exits 2 unless
--allow-unknown-owners is given. Unmanaged and missing need at least one state. Keys a rotation
replaced and keeps (keepPrevious / keep_previous) are managed: MANAGED reads "kept".

Exit codes: 0 nothing matched --fail-on, 1 error, 2 bad arguments (a state file of the wrong
format, or --fail-on orphaned that cannot be checked), ${EXIT_FINDINGS} a --fail-on flag matched.`;

const MS_PER_DAY = 86_400_000;

export interface AuditInput {
  host: string;
  keys: readonly ApiKey[];
  /** Every user of the tenant, or undefined when the caller may not list them. */
  users: readonly User[] | undefined;
  /** Per given state file (its path): the keys it manages. */
  states: ReadonlyMap<string, readonly ManagedKey[]>;
  withinMs: number;
  now: Date;
}

/** The audit itself: pure, so every flag can be checked without a server. */
export function audit(input: AuditInput): AuditReport {
  const { now, withinMs } = input;
  const usersByUid = input.users === undefined ? undefined : new Map(input.users.map((u) => [u.uid, u]));
  const managedBy = new Map<string, string[]>();
  const asResource = new Set<string>();
  for (const [source, keys] of input.states) {
    for (const k of keys) {
      const sources = managedBy.get(k.uid) ?? [];
      if (!sources.includes(source)) managedBy.set(k.uid, [...sources, source]);
      if (k.kept !== true) asResource.add(k.uid);
    }
  }
  const haveStates = input.states.size > 0;

  const keys = input.keys.map((k): AuditedKey => {
    const status = apiKeyStatus(k, now);
    const owner = usersByUid?.get(k.user.uid);
    const ownerState: OwnerState = usersByUid === undefined ? "unknown" : owner === undefined ? "gone" : owner.active ? "active" : "disabled";
    const flags: AuditFlag[] = [];
    if (status === "expired") flags.push("expired");
    else if (k.expiresAt !== null && k.expiresAt.getTime() - now.getTime() <= withinMs) flags.push("expiring");
    if (status === "revoked") flags.push("revoked");
    if (ownerState === "gone" || ownerState === "disabled") flags.push("orphaned");
    const by = haveStates ? (managedBy.get(k.uid) ?? []) : null;
    if (by !== null && by.length === 0) flags.push("unmanaged");
    return {
      uid: k.uid,
      name: k.name,
      ownerUid: k.user.uid,
      ownerName: `${k.user.firstName} ${k.user.lastName}`.trim(),
      ownerEmail: owner?.email ?? null,
      ownerState,
      status,
      expiresAt: k.expiresAt?.toISOString() ?? null,
      createdAt: k.createdAt?.toISOString() ?? null,
      ageDays: k.createdAt === null ? null : Math.floor((now.getTime() - k.createdAt.getTime()) / MS_PER_DAY),
      managedBy: by,
      managedAs: by === null || by.length === 0 ? null : asResource.has(k.uid) ? "resource" : "kept",
      flags,
    };
  });

  const live = new Set(input.keys.map((k) => k.uid));
  const missing: MissingKey[] = [];
  for (const [source, managed] of input.states) {
    // A kept key is on its way out: the provider deletes it after its grace period and tolerates it
    // being gone sooner, so its absence loses nothing the state manages.
    for (const m of managed) if (m.kept !== true && !live.has(m.uid)) missing.push({ uid: m.uid, source, address: m.address });
  }

  const counts = Object.fromEntries(FLAGS.map((f) => [f, 0])) as Record<AuditFlag, number>;
  for (const k of keys) for (const f of k.flags) counts[f] += 1;
  counts.missing = missing.length;
  return { host: input.host, generatedAt: now.toISOString(), withinMs, ownersKnown: usersByUid !== undefined, keys, missing, counts };
}

/** The --fail-on flags that matched. */
export const matched = (report: AuditReport, failOn: readonly AuditFlag[]): AuditFlag[] => failOn.filter((f) => report.counts[f] > 0);

export function formatTable(report: AuditReport): string[] {
  const rows = tableRows(report).map((r) => r.cells);
  const widths = TABLE_HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const out = [line(TABLE_HEAD), ...rows.map(line)];
  for (const m of report.missing) out.push(`missing: ${m.address} (${m.uid}) in ${m.source} no longer exists in Palette`);
  const summary = FLAGS.map((f) => `${report.counts[f]} ${f}`).join(", ");
  out.push(`${report.keys.length} keys: ${summary}.`);
  if (report.keys.some((k) => k.managedAs === "kept")) {
    out.push("Kept: keys a rotation replaced, kept alive by keepPrevious / keep_previous until their delete-after; managed, not unmanaged.");
  }
  if (!report.ownersKnown) out.push("Owners unknown: only a tenant admin may list users, so orphaned keys cannot be determined.");
  return out;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      // Positionals are refused below, without echoing them: a stray argument may be a pasted key.
      allowPositionals: true,
      options: {
        within: { type: "string", default: "14d" },
        "pulumi-state": { type: "string", multiple: true, default: [] },
        "terraform-state": { type: "string", multiple: true, default: [] },
        "fail-on": { type: "string", multiple: true, default: [] },
        json: { type: "boolean", default: false },
        html: { type: "string" },
        "allow-unknown-owners": { type: "boolean", default: false },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function parseFailOn(values: readonly string[]): AuditFlag[] {
  const flags = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  for (const f of flags) if (!(FLAGS as readonly string[]).includes(f)) throw new UsageError(`--fail-on: unknown flag "${f}" (one of ${FLAGS.join(", ")})`);
  return [...new Set(flags as AuditFlag[])];
}

function readState(file: string, read: (doc: unknown) => ManagedKey[], what: string): ManagedKey[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not a ${what}: not JSON`);
  }
  try {
    return read(doc);
  } catch (e) {
    if (e instanceof StateFormatError) throw new UsageError(`${file} ${e.message.startsWith("is ") ? e.message : `is ${e.message}`}`);
    throw e;
  }
}

/**
 * Opens the report's file for writing and closes it again (removing it when it did not exist), so
 * a path that cannot be written is a usage error before any request, not a lost report after them.
 */
function checkWritable(file: string): void {
  const existed = fs.existsSync(file);
  try {
    fs.closeSync(fs.openSync(file, "a"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new UsageError(`--html: cannot write ${file} (${code}): give a file in a directory that exists and that you may write to`);
  }
  if (!existed) fs.rmSync(file, { force: true });
}

export interface AuditDeps {
  env: Record<string, string | undefined>;
  now: () => Date;
}

const DEFAULT_DEPS: AuditDeps = { env: process.env, now: () => new Date() };

export async function auditCommand(argv: readonly string[], io: CliIo, deps: AuditDeps = DEFAULT_DEPS): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError("audit takes no arguments, only options (credentials come from SPECTROCLOUD_*)");
  const within = parseExpiresIn(values.within);
  if (!within.ok) throw new UsageError(`--within: ${within.reason}`);
  const failOn = parseFailOn(values["fail-on"]);
  const stateFiles = values["pulumi-state"].length + values["terraform-state"].length;
  for (const f of ["unmanaged", "missing"] as const) {
    if (failOn.includes(f) && stateFiles === 0) throw new UsageError(`--fail-on ${f} needs --pulumi-state or --terraform-state`);
  }
  // The report's file and the states first: a wrong path fails before any request reaches Palette.
  if (values.html !== undefined) checkWritable(values.html);
  const states = new Map<string, ManagedKey[]>();
  for (const f of values["pulumi-state"]) states.set(f, readState(f, keysInPulumiExport, "Pulumi stack export"));
  for (const f of values["terraform-state"]) states.set(f, readState(f, keysInTerraformState, "Terraform state"));

  const settings = resolveFrom([environmentSource(deps.env)], () =>
    new Error(`no credentials: set ${SETTING_ENV.apiKey}, or ${SETTING_ENV.username} and ${SETTING_ENV.password}`),
  );
  const client = new PaletteClient({ host: settings.host, auth: settings.auth, ...(settings.projectUid !== undefined && { projectUid: settings.projectUid }) });
  let report: AuditReport;
  try {
    const [keys, users] = await Promise.all([client.apiKeys.list(), listUsersIfAllowed(client)]);
    report = audit({ host: settings.host, keys, users, states, withinMs: within.value, now: deps.now() });
  } finally {
    await client.close();
  }

  if (values.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatTable(report)) io.out(line);
  if (values.html !== undefined) {
    fs.writeFileSync(values.html, renderAuditHtml(report));
    io.err(`palette-apikeys audit: wrote the HTML report to ${values.html}`);
  }
  if (failOn.includes("orphaned") && !report.ownersKnown) {
    // A gate that could not check must not pass: only an explicit opt-in lets it.
    if (!values["allow-unknown-owners"]) {
      io.err(
        "palette-apikeys audit: --fail-on orphaned cannot be checked: these credentials may not list users (only a tenant admin may). " +
          "Use a tenant admin's key, or add --allow-unknown-owners to accept unknown owners.",
      );
      return 2;
    }
    io.err("palette-apikeys audit: warning: orphaned cannot be determined without a tenant admin's credentials; --fail-on orphaned checked nothing (--allow-unknown-owners)");
  }
  const hits = matched(report, failOn);
  if (hits.length > 0) {
    io.err(`palette-apikeys audit: --fail-on matched: ${hits.map((f) => `${report.counts[f]} ${f}`).join(", ")}`);
    return EXIT_FINDINGS;
  }
  return 0;
}

/** Plain users may not list users: orphaned is then unknown, not an error. */
async function listUsersIfAllowed(client: PaletteClient): Promise<User[] | undefined> {
  try {
    return await client.users.list();
  } catch (e) {
    if (isPaletteError(e) && (e.code === "FORBIDDEN" || e.status === 403)) return undefined;
    throw e;
  }
}
