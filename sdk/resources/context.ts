/** What every resource needs from the client: the pipeline and a way to start calls. */
import type { RequestOptions } from "../config";
import type { PaletteResource } from "../errors";
import type { Call } from "../core/call";
import type { RequestPipeline } from "../core/request";

export interface ResourceContext {
  readonly pipeline: RequestPipeline;
  /** Starts a call of `operation` about `resource`, the noun its errors use (see `PaletteError.resource`). */
  startCall(resource: PaletteResource, operation: string, options?: RequestOptions): Call;
}
