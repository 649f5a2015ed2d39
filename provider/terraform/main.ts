/** The executable Terraform starts: `terraform-provider-palette`, bundled into one file at build. */
import { serve } from "../tfplugin6";
import { createPaletteProvider } from "./palette-provider";
import { SERVE_OPTIONS } from "./serve-options";

serve(createPaletteProvider(), SERVE_OPTIONS).catch((e: unknown) => {
  process.stderr.write(`terraform-provider-palette failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
