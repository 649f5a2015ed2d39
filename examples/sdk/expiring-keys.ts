/**
 * SDK only, no Pulumi: list the API keys that expire within the next N days (default 14), soonest first.
 *
 *   SPECTROCLOUD_HOST=api.spectrocloud.com SPECTROCLOUD_APIKEY=... npx ts-node examples/sdk/expiring-keys.ts [days] [--json]
 *
 * A tenant admin sees every key of the tenant; any other user sees their own. Exits 0 and prints a table;
 * with `--json`, prints the same rows as JSON for a pipeline to act on. No key value is ever printed:
 * Palette does not return them after creation.
 */
import { addDays, formatDistanceStrict } from "date-fns";
import { PaletteClient, apiKeyStatus, isPaletteError } from "pulumi-palette-apikeys/sdk";

const USAGE =
  "usage: expiring-keys.ts [days] [--json]   (days: default 14; set SPECTROCLOUD_APIKEY to a Palette API key, " +
  "and SPECTROCLOUD_HOST for a self-hosted Palette)";

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--json" && !/^\d+$/.test(a));
  const apiKey = process.env.SPECTROCLOUD_APIKEY;
  if (unknown.length > 0 || !apiKey) {
    console.error(unknown.length > 0 ? `unknown argument(s): ${unknown.join(" ")}` : "SPECTROCLOUD_APIKEY is not set.");
    console.error(USAGE);
    return 2;
  }
  const json = argv.includes("--json");
  const days = Number(argv.find((a) => /^\d+$/.test(a)) ?? "14");
  const host = process.env.SPECTROCLOUD_HOST ?? "api.spectrocloud.com";

  const client = new PaletteClient({ host, auth: { apiKey } });
  try {
    const now = new Date();
    const horizon = addDays(now, days);
    const rows = (await client.apiKeys.list())
      .filter((k) => k.expiresAt !== null && apiKeyStatus(k, now) !== "expired" && k.expiresAt <= horizon)
      .sort((a, b) => (a.expiresAt?.getTime() ?? 0) - (b.expiresAt?.getTime() ?? 0))
      .map((k) => ({
        name: k.name,
        uid: k.uid,
        owner: `${k.user.firstName} ${k.user.lastName}`.trim(),
        status: apiKeyStatus(k, now),
        expiresAt: k.expiresAt!.toISOString(),
        expiresIn: formatDistanceStrict(k.expiresAt!, now),
      }));

    if (json) {
      console.log(JSON.stringify(rows, null, 2));
    } else if (rows.length === 0) {
      console.log(`No API key expires within ${days} days.`);
    } else {
      console.log(`${rows.length} API key(s) expire within ${days} days:`);
      console.table(rows);
    }
    return 0;
  } catch (err) {
    // PaletteError messages say what failed and what to do; they never contain credentials.
    console.error(isPaletteError(err) ? err.message : err);
    return 1;
  } finally {
    await client.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
