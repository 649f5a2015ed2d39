/**
 * The API-keys page at `/`: a person's view of the tenant's keys while a demo or pipeline runs.
 * The page is static files (emulator/page/, copied beside the compiled code by the build); its
 * script signs in through `/v1/auth/authenticate` and lists through `GET /v1/apiKeys`, so what a
 * signed-in user sees is exactly what the API and its permission rule let them see.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HttpError } from "../http-error";
import type { Reply, Route } from "../router";

/** Beside this module: emulator/page in the sources, dist/emulator/page in the build. */
export const PAGE_DIR = path.join(__dirname, "..", "page");

interface Asset {
  readonly path: string;
  readonly file: string;
  readonly type: string;
}

const ASSETS: readonly Asset[] = [
  { path: "/", file: "index.html", type: "text/html; charset=utf-8" },
  { path: "/page/app.js", file: "app.js", type: "text/javascript; charset=utf-8" },
  { path: "/page/app.css", file: "app.css", type: "text/css; charset=utf-8" },
];

/**
 * Only this origin's own files and API: no inline script, nothing from elsewhere. The page never
 * handles a key value, and this keeps an injected name or description from ever running as code.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** `GET /` and its script and style. The query string is never read: an unknown parameter changes nothing. */
export function pageRoutes(dir: string = PAGE_DIR): Route[] {
  const cache = new Map<string, string>();
  const read = (asset: Asset): string => {
    let text = cache.get(asset.file);
    if (text === undefined) {
      try {
        text = fs.readFileSync(path.join(dir, asset.file), "utf8");
      } catch {
        throw new HttpError(500, "PageMissing", `The API-keys page file ${asset.file} is missing from ${dir}: rebuild the package (npm run build)`);
      }
      cache.set(asset.file, text);
    }
    return text;
  };
  return ASSETS.map((asset) => ({
    method: "GET",
    pattern: asset.path,
    handle: (): Reply => ({ status: 200, text: read(asset), headers: { "Content-Type": asset.type, ...SECURITY_HEADERS } }),
  }));
}
