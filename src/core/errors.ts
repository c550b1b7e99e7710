import { redactSecrets } from "./redact-secrets.js";

/**
 * Every error baton raises on purpose is a `BatonError`: a stable `code` that callers and
 * tests switch on, the ids involved in `details`, and a message written for the person who
 * has to fix it (what went wrong, then what to do).
 */
export type BatonErrorCode =
  | "CHAIN_NOT_FOUND"
  | "CHAIN_INVALID"
  | "EVAL_CASE_INVALID"
  | "EVAL_NO_CASES"
  | "TEST_PLAN_INVALID"
  | "INPUT_INVALID"
  | "RUN_NOT_FOUND"
  | "RUN_NOT_ACTIVE"
  | "APPROVAL_NOT_FOUND"
  | "APPROVAL_ALREADY_DECIDED"
  | "APPROVAL_NOT_ALLOWED"
  | "APPROVAL_EXPIRED"
  | "EDIT_INVALID"
  | "DECISION_INVALID"
  | "MODEL_OUTPUT_INVALID"
  | "MODEL_REFUSED"
  | "MODEL_TRANSPORT"
  | "MODEL_NOT_CONFIGURED"
  | "PROMPT_TOO_LARGE"
  | "STEP_FAILED"
  | "CONFIG_INVALID"
  | "DATABASE_NOT_WRITABLE"
  | "DATABASE_CORRUPT"
  | "DATABASE_TOO_NEW"
  | "DATABASE_UNREACHABLE"
  | "DATABASE_ACCESS_DENIED"
  | "DATABASE_NOT_FOUND"
  | "DATABASE_NOT_EMPTY"
  | "COPY_COUNTS_DIFFER"
  | "COPY_RECORDS_DIFFER"
  | "COPY_FAILED"
  | "LEASE_LOST"
  | "COMMAND_INVALID"
  | "SLACK_REQUEST_FAILED"
  | "IAC_PLAN_UNSUPPORTED"
  | "IAC_PLAN_INVALID"
  | "IAC_NO_TERRAFORM"
  | "IAC_POLICY_INVALID"
  | "IAC_SUPPRESSION_INVALID"
  | "IAC_SCANNER_RESULTS_INVALID"
  | "IAC_COST_INVALID"
  | "DOCUMENT_EMPTY"
  | "DOCUMENT_UNSUPPORTED"
  | "DOCUMENT_TOO_LARGE"
  | "GITHUB_NOT_CONFIGURED"
  | "GITHUB_ACCESS_DENIED"
  | "GITHUB_UNAVAILABLE"
  | "GITHUB_REJECTED"
  | "PULL_REQUEST_NOT_FOUND";

/**
 * Marks every BatonError, whichever copy of this module built it. A chain compiled in another
 * bundle, or a second install of baton, has its own `BatonError` class, so `instanceof` would
 * miss its errors; the registry-wide symbol does not.
 */
const BATON_ERROR_MARKER = Symbol.for("baton.error");

export class BatonError extends Error {
  readonly [BATON_ERROR_MARKER] = true;
  readonly code: BatonErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: BatonErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BatonError";
    this.code = code;
    this.details = details;
  }
}

/** One problem found by zod, flattened to a dotted path people can read. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Whether `error` is a BatonError (from any copy of baton's modules), optionally with `code`. */
export function isBatonError(error: unknown, code?: BatonErrorCode): error is BatonError {
  if (!(error instanceof Error) || !(BATON_ERROR_MARKER in error)) return false;
  const errorCode = (error as { code?: unknown }).code;
  return typeof errorCode === "string" && (code === undefined || errorCode === code);
}

/** The message of anything thrown, for logs and audit entries. */
export function describeError(error: unknown): string {
  // Error text is stored, shown and logged: credentials an API echoed back never are.
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
