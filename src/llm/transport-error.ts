import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { BatonError, describeError, isBatonError } from "../core/errors.js";

/** What the error messages need to say where and how the call failed. */
export interface TransportFailure {
  model: string;
  /** The server's base URL, without credentials. */
  baseURL: string;
  /** HTTP attempts made, retries included. */
  attempts: number;
  timeoutMs: number;
}

/** Longest piece of a server's error body quoted in a message (an HTML error page is long). */
const QUOTE_LIMIT = 300;

/** `https://user:secret@host/v1` → `https://host/v1`, so messages and logs never carry a secret. */
export function displayBaseURL(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return baseURL;
  }
}

/** The model call ran past its budget (our deadline or the SDK's per-attempt timeout). */
export function timeoutError(failure: TransportFailure, cause?: unknown): BatonError {
  return new BatonError(
    "MODEL_TRANSPORT",
    `The call to model "${failure.model}" at ${failure.baseURL} timed out after ${failure.timeoutMs} ms (${plural(failure.attempts, "attempt")}). ` +
      "Raise the step's timeoutMs if the model needs longer, or check the provider's status.",
    detailsOf(failure, null),
    { cause },
  );
}

/**
 * The `MODEL_TRANSPORT` error for whatever the SDK threw once it stopped retrying: what happened
 * (status, timeout, refused connection) and what to check.
 */
export function toTransportError(error: unknown, failure: TransportFailure): BatonError {
  if (isBatonError(error)) return error;
  if (error instanceof APIConnectionTimeoutError) return timeoutError(failure, error);
  const tries = plural(failure.attempts, "attempt");
  if (error instanceof APIConnectionError) {
    return new BatonError(
      "MODEL_TRANSPORT",
      `Could not reach the model server at ${failure.baseURL} (${describeConnectionFault(error)}) after ${tries}. ` +
        "Check OPENAI_BASE_URL and that the server is running and reachable from here.",
      detailsOf(failure, null),
      { cause: error },
    );
  }
  if (error instanceof APIError && typeof error.status === "number") {
    return statusError(error, error.status, failure);
  }
  return new BatonError(
    "MODEL_TRANSPORT",
    `The call to model "${failure.model}" at ${failure.baseURL} failed after ${tries}: ${describeError(error)}. ` +
      "Check OPENAI_BASE_URL and OPENAI_API_KEY, then retry the run.",
    detailsOf(failure, null),
    { cause: error },
  );
}

function statusError(error: APIError, status: number, failure: TransportFailure): BatonError {
  const serverSaid = quote(error.message.replace(new RegExp(`^${status}\\s*`), ""));
  const where = `model "${failure.model}" at ${failure.baseURL}`;
  const retryAfterMs = retryAfterMsOf(error.headers);
  const details = {
    ...detailsOf(failure, status),
    ...(error.requestID ? { requestId: error.requestID } : {}),
    ...(retryAfterMs === null ? {} : { retryAfterMs }),
  };
  const make = (message: string): BatonError => new BatonError("MODEL_TRANSPORT", message, details, { cause: error });

  if (status === 401 || status === 403) {
    return make(
      `The model server at ${failure.baseURL} refused the API key (HTTP ${status}: ${serverSaid}). ` +
        `Check that OPENAI_API_KEY is a valid key for this server${status === 403 ? ` and that it may use model "${failure.model}"` : ""}.`,
    );
  }
  if (status === 404) {
    return make(
      `The ${where} was not found (HTTP 404: ${serverSaid}). ` +
        "Set BATON_MODEL (or the step's model) to a model this server serves, and check that OPENAI_BASE_URL is the API root (usually ending in /v1).",
    );
  }
  const tries = plural(failure.attempts, "attempt");
  if (status === 429) {
    const quota = error.code === "insufficient_quota" ? " The account is out of quota: add credit or raise the limit with the provider." : "";
    return make(
      `The ${where} is rate-limiting requests (HTTP 429 after ${tries}: ${serverSaid}).${quota} ` +
        "Retry the run later, run fewer chains at once, or raise the rate limit with the provider.",
    );
  }
  if (status >= 500 || status === 408 || status === 409) {
    return make(
      `The ${where} failed (HTTP ${status} after ${tries}: ${serverSaid}). ` +
        "Check the provider's status page (or the local server's logs), then retry the run.",
    );
  }
  return make(
    `The ${where} rejected the request (HTTP ${status}: ${serverSaid}). ` +
      'If the server does not support structured outputs, switch to the "json_object" response format; ' +
      "if the prompt is too long for the model, shorten the step's input.",
  );
}

/**
 * What the server asked us to wait, so a step retry (core/step-errors.ts) does not come back
 * sooner: `retry-after-ms` (which OpenAI's SDK reads first), else `Retry-After` in seconds or
 * as an HTTP date (RFC 9110, section 10.2.3).
 */
function retryAfterMsOf(headers: Headers | undefined): number | null {
  const milliseconds = Number(headers?.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get("retry-after");
  if (value === null || value === undefined) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function detailsOf(failure: TransportFailure, status: number | null): Record<string, unknown> {
  return { model: failure.model, status, attempts: failure.attempts, baseURL: failure.baseURL };
}

/** Node's fetch hides the reason in a chain of causes: `fetch failed` ← `connect ECONNREFUSED`. */
function describeConnectionFault(error: Error): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = "code" in current && typeof current.code === "string" ? current.code : undefined;
    if (code === "ECONNREFUSED") return "connection refused";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host name not found";
    if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return "connection reset by the server";
    if (code === "CERT_HAS_EXPIRED" || code?.startsWith("ERR_TLS") || code?.includes("CERT")) return `TLS problem: ${code}`;
    if (code !== undefined) return `${code}: ${current.message}`;
    current = current.cause;
  }
  return describeError(error.cause ?? error);
}

function quote(text: string): string {
  const trimmed = text.trim() === "" ? "no message" : text.trim();
  return trimmed.length > QUOTE_LIMIT ? `${trimmed.slice(0, QUOTE_LIMIT)}…` : trimmed;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
