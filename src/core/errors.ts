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
  | "STEP_FAILED"
  | "CONFIG_INVALID"
  | "DATABASE_NOT_WRITABLE"
  | "DATABASE_CORRUPT"
  | "DATABASE_TOO_NEW"
  | "LEASE_LOST"
  | "COMMAND_INVALID"
  | "SLACK_REQUEST_FAILED"
  | "IAC_PLAN_UNSUPPORTED"
  | "IAC_PLAN_INVALID"
  | "IAC_NO_TERRAFORM"
  | "IAC_POLICY_INVALID"
  | "DOCUMENT_EMPTY"
  | "DOCUMENT_UNSUPPORTED"
  | "DOCUMENT_TOO_LARGE"
  | "GITHUB_NOT_CONFIGURED"
  | "GITHUB_ACCESS_DENIED"
  | "GITHUB_UNAVAILABLE"
  | "GITHUB_REJECTED"
  | "PULL_REQUEST_NOT_FOUND";

export class BatonError extends Error {
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

export function isBatonError(error: unknown, code?: BatonErrorCode): error is BatonError {
  return error instanceof BatonError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for logs and audit entries. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
