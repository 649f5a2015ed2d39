/**
 * Errors in Palette's envelope (`code`, `message`, `ref`, `details`): handlers throw them, the server
 * writes them, so every failure a client sees has the real API's shape.
 */
import type { z } from "zod";

/** A field-level problem, as listed in an error envelope's `details`. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * An error a handler throws to answer with Palette's error envelope `{code, message, ref, details?}`.
 * `code` is numeric for framework-level errors (unknown path, wrong method), as go-openapi sends them.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | number,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const unauthorized = (message = "Authorization is required: send a valid ApiKey header or Authorization token"): HttpError =>
  new HttpError(401, "UnAuthorizedAccess", message);

export const forbidden = (message: string): HttpError => new HttpError(403, "OperationForbidden", message);

export const keyNotFound = (uid: string): HttpError =>
  new HttpError(404, "ResourceNotFound", `API key '${uid}' not found`);

export const userNotFound = (uid: string): HttpError => new HttpError(404, "UserNotFound", `Specified user '${uid}' not found`);

export const invalidRequest = (message: string, details?: readonly FieldProblem[]): HttpError =>
  new HttpError(400, "InvalidRequest", message, details);

/** Turns zod issues into the envelope's field list, naming fields by dotted path. */
export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length === 0 ? "(body)" : issue.path.map(String).join("."),
    message: issue.message,
  }));
}

/** A 400 naming the body model and every offending field. */
export function schemaViolation(model: string, error: z.ZodError): HttpError {
  const details = fieldProblems(error);
  const summary = details.map((d) => `${d.field}: ${d.message}`).join("; ");
  return invalidRequest(`Request body does not match ${model}: ${summary}`, details);
}
