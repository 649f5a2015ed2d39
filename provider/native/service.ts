/**
 * Pulumi's ResourceProvider service for `palette`, on the generated stubs. Each call translates the
 * wire (Structs, secrets, the engine's request fields) and hands the work to the one Pulumi
 * implementation of the ApiKey (../pulumi/impl.ts), the dynamic provider's, so both behave alike:
 * the same checks and messages, diff, lifecycle, stewards and handover.
 *
 * Served directly rather than through `pulumi.provider.main`, whose Configure ignores the settings
 * it is given: here each instance (each process) takes its own host and credentials.
 */
import type * as grpcTypes from "@grpc/grpc-js";
import type { IResourceProviderServer } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type { KeyDiff } from "../core/diff";
import * as impl from "../pulumi/impl";
import { PULUMI_NAMES } from "../pulumi/check";
import { CONFIG_NAMES, configLookup, instanceSettings, stackSettings } from "./config";
import { diffNotes } from "./diff-notes";
import type { EngineLog } from "./engine-log";
import { invoke } from "./functions";
import { pulumiProto } from "./proto";
import { API_KEY, packageSchema } from "./schema";
import { packageVersion } from "./version";
import { concealed, fromStruct, SECRET_OUTPUTS, toStruct, type Props } from "./wire";

type Handler<Req, Res> = grpcTypes.handleUnaryCall<Req, Res>;

/** The logical name: the request's, or the URN's last segment (`urn:pulumi:stack::project::type::name`). */
const logicalName = (name: string, urn: string): string => name || urn.slice(urn.lastIndexOf("::") + 2);

/** What a handler answers: a value, or an error the engine shows (with the resource it recorded, for a partial create). */
function answer<Req, Res>(work: (req: Req) => Promise<Res> | Res): Handler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => work(call.request))
      .then(
        (res) => callback(null, res),
        (e: unknown) => callback(grpcError(e)),
      );
  };
}

/**
 * The engine's error. A create or update that left a key behind (`ResourceInitError`) carries it as
 * `ErrorResourceInitFailed`, so the engine records the key (its value secret) instead of losing it.
 */
function grpcError(e: unknown): Partial<grpcTypes.StatusObject> {
  const { grpc, status, pb, Any } = pulumiProto();
  const message = e instanceof Error ? e.message : String(e);
  const metadata = new grpc.Metadata();
  if (e instanceof impl.ResourceInitError) {
    const detail = new pb.ErrorResourceInitFailed();
    detail.setId(e.id);
    detail.setProperties(toStruct(concealed(e.properties, SECRET_OUTPUTS)));
    detail.setReasonsList(e.reasons);
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const st = new status.Status();
    st.setCode(grpc.status.UNKNOWN);
    st.setMessage(message);
    st.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(st.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

function unimplemented(what: string): Handler<unknown, never> {
  return (_call, callback) => callback({ code: pulumiProto().grpc.status.UNIMPLEMENTED, details: `${what} is not implemented by the palette provider` });
}

type Failure = { property: string; reason: string };

function failuresOf(failures: readonly Failure[]): ProviderPb.CheckFailure[] {
  const { pb } = pulumiProto();
  return failures.map((f) => {
    const failure = new pb.CheckFailure();
    failure.setProperty(f.property);
    failure.setReason(f.reason);
    return failure;
  });
}

function checkResponse(inputs: Props, failures: readonly Failure[]): ProviderPb.CheckResponse {
  const resp = new (pulumiProto().pb.CheckResponse)();
  resp.setInputs(toStruct(inputs));
  resp.setFailuresList(failuresOf(failures));
  return resp;
}

/** Refuses a resource type this package does not have (the engine sends it as `type`, or in the URN). */
function ensureApiKey(type: string, urn: string): void {
  const t = type || urn.split("::")[2] || "";
  if (t !== "" && t !== API_KEY) throw new Error(`palette has no resource type ${t}: its one resource is ${API_KEY}`);
}

/** The core's decision field by field: in place, or replacing (the owner, or any edit of an expired key). */
function detailedDiff(decision: KeyDiff, olds: Props, news: Props): Map<string, ProviderPb.PropertyDiff.Kind> {
  const { pb } = pulumiProto();
  const K = pb.PropertyDiff.Kind;
  const out = new Map<string, ProviderPb.PropertyDiff.Kind>();
  const kind = (name: string, replace: boolean): ProviderPb.PropertyDiff.Kind => {
    if (olds[name] === undefined) return replace ? K.ADD_REPLACE : K.ADD;
    if (news[name] === undefined) return replace ? K.DELETE_REPLACE : K.DELETE;
    return replace ? K.UPDATE_REPLACE : K.UPDATE;
  };
  const replaced = new Set<string>(decision.replaces.map((f) => PULUMI_NAMES[f]));
  for (const f of decision.changed) out.set(PULUMI_NAMES[f], kind(PULUMI_NAMES[f], replaced.has(PULUMI_NAMES[f])));
  for (const name of replaced) if (!out.has(name)) out.set(name, kind(name, true));
  return out;
}

/**
 * `details` as the response's diffs and detailed diff. Every entry is an input's but `previousKeys`,
 * an output the update changes when kept keys are past their grace period.
 */
function setDetailedDiff(resp: ProviderPb.DiffResponse, details: ReadonlyMap<string, ProviderPb.PropertyDiff.Kind>): void {
  const { pb } = pulumiProto();
  resp.setDiffsList([...details.keys()]);
  resp.setHasdetaileddiff(true);
  for (const [name, kind] of details) {
    const d = new pb.PropertyDiff();
    d.setKind(kind);
    d.setInputdiff(name !== "previousKeys");
    resp.getDetaileddiffMap().set(name, d);
  }
}

export interface ServiceOptions {
  /** Cancel's: aborts what was not sent (see impl.cancelWith). */
  cancel: AbortController;
  /** The engine's Log: Diff's notes (a rotation's reason, an encryptFor that is not applied) go there. */
  log: EngineLog;
}

export function providerService({ cancel, log }: ServiceOptions): IResourceProviderServer {
  const { pb, plugin, Empty } = pulumiProto();
  impl.cancelWith(cancel.signal);
  return {
    getPluginInfo: answer(() => {
      const info = new plugin.PluginInfo();
      info.setVersion(packageVersion());
      return info;
    }),
    getSchema: answer(() => {
      const resp = new pb.GetSchemaResponse();
      resp.setSchema(JSON.stringify(packageSchema()));
      return resp;
    }),
    handshake: answer(() => {
      const resp = new pb.ProviderHandshakeResponse();
      resp.setAcceptSecrets(true);
      return resp;
    }),
    checkConfig: answer((req) => {
      const news = req.getNews()?.toJavaScript() ?? {};
      const plain = fromStruct(req.getNews()).values;
      const failures = CONFIG_NAMES.filter((n) => plain[n] !== undefined && plain[n] !== null && typeof plain[n] !== "string").map((n) => ({ property: n, reason: "must be a string" }));
      return checkResponse(news, failures);
    }),
    diffConfig: answer((req) => {
      const olds = fromStruct(req.getOlds()).values;
      const news = fromStruct(req.getNews()).values;
      const resp = new pb.DiffResponse();
      const changed = CONFIG_NAMES.filter((n) => (olds[n] ?? "") !== (news[n] ?? ""));
      resp.setChanges(changed.length > 0 ? pb.DiffResponse.DiffChanges.DIFF_SOME : pb.DiffResponse.DiffChanges.DIFF_NONE);
      setDetailedDiff(resp, new Map(changed.map((n) => [n, pb.PropertyDiff.Kind.UPDATE])));
      return resp;
    }),
    configure: answer((req) => {
      const variables = new Map(req.getVariablesMap().toArray());
      impl.configureWith(configLookup(instanceSettings(req.getArgs()?.toJavaScript() ?? {}, variables), stackSettings(process.env)));
      const resp = new pb.ConfigureResponse();
      resp.setAcceptsecrets(true);
      resp.setSupportspreview(false);
      return resp;
    }),
    check: answer(async (req) => {
      ensureApiKey(req.getType(), req.getUrn());
      const olds = fromStruct(req.getOlds());
      const news = fromStruct(req.getNews());
      const checked = await impl.check(olds.values, { ...news.values, __logicalName: logicalName(req.getName(), req.getUrn()) });
      return checkResponse(concealed(checked.inputs ?? {}, news.secrets), checked.failures ?? []);
    }),
    diff: answer(async (req) => {
      const olds = fromStruct(req.getOlds()).values;
      const news = fromStruct(req.getNews()).values;
      const { result, decision } = impl.diffWithDecision(req.getId(), olds, news);
      // Sent before the answer, so the engine shows them with this resource's step.
      for (const note of diffNotes(decision, olds, news, req.getUrn())) await log.log(note.level, req.getUrn(), note.message);
      const resp = new pb.DiffResponse();
      resp.setChanges(result.changes ? pb.DiffResponse.DiffChanges.DIFF_SOME : pb.DiffResponse.DiffChanges.DIFF_NONE);
      const details = result.changes ? detailedDiff(decision, olds, news) : new Map<string, ProviderPb.PropertyDiff.Kind>();
      // Only previous keys past their grace period: the update deletes them, no input changed.
      if (result.changes && details.size === 0) details.set("previousKeys", pb.PropertyDiff.Kind.UPDATE);
      resp.setReplacesList(decision.replaces.length > 0 ? [...new Set(decision.replaces.map((f) => PULUMI_NAMES[f]))] : []);
      resp.setDeletebeforereplace(result.deleteBeforeReplace);
      setDetailedDiff(resp, details);
      return resp;
    }),
    create: answer(async (req) => {
      const props = fromStruct(req.getProperties());
      const made = await impl.create(props.values);
      const resp = new pb.CreateResponse();
      resp.setId(made.id);
      resp.setProperties(toStruct(concealed(made.outs as Props, [...props.secrets, ...SECRET_OUTPUTS])));
      return resp;
    }),
    read: answer(async (req) => {
      const props = fromStruct(req.getProperties());
      const inputs = fromStruct(req.getInputs());
      const found = await impl.read(req.getId(), props.values);
      const resp = new pb.ReadResponse();
      // No id: the key is gone, and the engine drops it from the stack.
      resp.setId(found.id ?? "");
      if (found.id === undefined || found.id === "") return resp;
      resp.setProperties(toStruct(concealed((found.props ?? {}) as Props, [...props.secrets, ...SECRET_OUTPUTS])));
      resp.setInputs(toStruct(concealed((found.inputs ?? {}) as Props, inputs.secrets)));
      return resp;
    }),
    update: answer(async (req) => {
      const olds = fromStruct(req.getOlds());
      const news = fromStruct(req.getNews());
      const updated = await impl.update(req.getId(), olds.values, news.values);
      const resp = new pb.UpdateResponse();
      resp.setProperties(toStruct(concealed((updated.outs ?? {}) as Props, [...news.secrets, ...SECRET_OUTPUTS])));
      return resp;
    }),
    delete: answer(async (req) => {
      await impl.delete(req.getId(), fromStruct(req.getProperties()).values);
      return new Empty();
    }),
    invoke: answer(async (req) => {
      const found = await invoke(req.getTok(), fromStruct(req.getArgs()).values, impl.configuredClient, cancel.signal);
      const resp = new pb.InvokeResponse();
      if (found.result !== undefined) resp.setReturn(toStruct(found.result));
      resp.setFailuresList(failuresOf(found.failures));
      return resp;
    }),
    cancel: answer(() => {
      cancel.abort(new Error("the engine cancelled the operation"));
      return new Empty();
    }),
    // The engine asks for mappings when converting programs of other tools: palette maps none.
    getMapping: answer(() => new pb.GetMappingResponse()),
    getMappings: answer(() => new pb.GetMappingsResponse()),
    attach: answer(() => new Empty()),
    parameterize: unimplemented("Parameterize"),
    construct: unimplemented("Construct (palette has no components)"),
    call: unimplemented("Call (palette has no methods)"),
    // Typed here: the service of @pulumi/pulumi 3.216 (the floor of the peer range) has no List to type it.
    list: (call: grpcTypes.ServerWritableStream<unknown, unknown>) => call.emit("error", { code: pulumiProto().grpc.status.UNIMPLEMENTED, details: "List is not implemented by the palette provider" }),
  };
}
