import { z } from "zod";

/**
 * What a modal carries in `private_metadata`: ids only, as small JSON (Slack allows 3000
 * characters, and everything else is read from the store when the modal is submitted).
 * Parsed with zod on the way back in, since Slack returns it as outside data.
 */

export type MetadataReading<Value> = { ok: true; value: Value } | { ok: false; message: string };

const ApprovalMetadata = z.object({ approvalId: z.string().min(1) });
export type ApprovalMetadata = z.infer<typeof ApprovalMetadata>;

const RunInputMetadata = z.object({ chainId: z.string().min(1), channelId: z.string().min(1) });
export type RunInputMetadata = z.infer<typeof RunInputMetadata>;

/** `{"approvalId":"..."}`: the edit, request-changes and reject modals carry this. */
export function approvalMetadata(approvalId: string): string {
  return JSON.stringify({ approvalId } satisfies ApprovalMetadata);
}

/** The approval id from an edit, request-changes or reject modal's `private_metadata`. */
export function parseApprovalMetadata(text: string): MetadataReading<ApprovalMetadata> {
  return parseMetadata(ApprovalMetadata, text);
}

/** `{"chainId":"...","channelId":"..."}`: the run-input modal carries this. */
export function runInputMetadata(chainId: string, channelId: string): string {
  return JSON.stringify({ chainId, channelId } satisfies RunInputMetadata);
}

/** The chain and channel from a run-input modal's `private_metadata`. */
export function parseRunInputMetadata(text: string): MetadataReading<RunInputMetadata> {
  return parseMetadata(RunInputMetadata, text);
}

function parseMetadata<Value>(schema: z.ZodType<Value>, text: string): MetadataReading<Value> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: `private_metadata is not JSON: ${JSON.stringify(text.slice(0, 80))}` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: `private_metadata has an unexpected shape: ${result.error.issues.map((issue) => issue.message).join("; ")}` };
}
