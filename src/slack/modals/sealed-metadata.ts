import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * An approval modal's `private_metadata`, sealed: `{ approvalId, seal }` where `seal` is an
 * HMAC-SHA256 of the approval id under a key only the bot holds (its signing secret, or its bot
 * token in Socket Mode). A submission whose metadata was edited to name another approval is
 * refused, even when the request itself is validly signed (issue 13 item 8).
 */

const SealedApproval = z.object({ approvalId: z.string().min(1), seal: z.string().regex(/^[0-9a-f]{32}$/) });

const sealOf = (approvalId: string, key: string): string => createHmac("sha256", key).update(`baton.approval-form:${approvalId}`).digest("hex").slice(0, 32);

/** `{"approvalId":"…","seal":"…"}` (ids and a 128-bit seal: well within Slack's 3000). */
export function sealedApprovalMetadata(approvalId: string, key: string): string {
  return JSON.stringify({ approvalId, seal: sealOf(approvalId, key) });
}

/** The approval id, when the metadata is sealed by `key`; otherwise why not. */
export function openSealedApprovalMetadata(text: string, key: string): { ok: true; approvalId: string } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: "its private_metadata is not JSON" };
  }
  const parsed = SealedApproval.safeParse(json);
  if (!parsed.success) return { ok: false, message: "its private_metadata carries no seal" };
  const expected = Buffer.from(sealOf(parsed.data.approvalId, key), "hex");
  const given = Buffer.from(parsed.data.seal, "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, message: "its private_metadata was changed after baton opened it" };
  return { ok: true, approvalId: parsed.data.approvalId };
}
