/** What every resource needs from the client: the pipeline and a way to start calls. */
import type { RequestOptions } from "../config";
import type { Call } from "../core/call";
import type { RequestPipeline } from "../core/request";

export interface ResourceContext {
  readonly pipeline: RequestPipeline;
  startCall(operation: string, options?: RequestOptions): Call;
}
