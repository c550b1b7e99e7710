import { describe, expect, it } from "vitest";
import {
  buildFeedbackModal,
  buildRejectModal,
  FEEDBACK_BLOCK_ID,
  parseApprovalMetadata,
  readFeedback,
  readReason,
  REJECT_CALLBACK_ID,
  REQUEST_CHANGES_CALLBACK_ID,
} from "../../../src/slack/modals/decision-modals.js";
import { contextTexts, inputBlock, stateValues, typed } from "./state-values.js";

describe("the request-changes modal", () => {
  const view = buildFeedbackModal("a_7", "Remediation plan for checkout latency");

  it("asks one required multi-line question and carries only the approval id", () => {
    expect(view.callback_id).toBe(REQUEST_CHANGES_CALLBACK_ID);
    expect(REQUEST_CHANGES_CALLBACK_ID).toBe("baton.request_changes_submit");
    expect(parseApprovalMetadata(view.private_metadata ?? "")).toEqual({ ok: true, value: { approvalId: "a_7" } });
    expect(view.title.text).toBe("Request changes");
    expect(contextTexts(view.blocks)[0]).toContain("*Remediation plan for checkout latency*: the model runs this step again");
    const block = inputBlock(view.blocks, FEEDBACK_BLOCK_ID);
    expect(block.label.text).toBe("What should change?");
    expect(block.optional).toBeUndefined();
    expect(block.element).toMatchObject({ type: "plain_text_input", multiline: true });
  });

  it("reads the feedback, trimmed", () => {
    expect(readFeedback(stateValues(view.blocks, { feedback: typed("  Roll back first, then scale.\n") }))).toEqual({
      ok: true,
      text: "Roll back first, then scale.",
    });
  });

  it("asks again inline when the feedback is blank or missing", () => {
    for (const state of [stateValues(view.blocks, { feedback: typed("   ") }), stateValues(view.blocks, { feedback: typed(null) }), {}, null]) {
      const reading = readFeedback(state);
      expect(reading.ok).toBe(false);
      if (!reading.ok) expect(reading.errors.feedback).toMatch(/^Write what should change/);
    }
  });
});

describe("the reject modal", () => {
  const view = buildRejectModal("a_8", "Summary <for> R&D");

  it("asks why, in a required multi-line box", () => {
    expect(view.callback_id).toBe(REJECT_CALLBACK_ID);
    expect(REJECT_CALLBACK_ID).toBe("baton.reject_submit");
    expect(view.private_metadata).toBe('{"approvalId":"a_8"}');
    expect(view.title.text).toBe("Reject");
    expect(contextTexts(view.blocks)[0]).toContain("*Summary &lt;for&gt; R&amp;D*: rejecting stops the run");
    const block = inputBlock(view.blocks, "reason");
    expect(block.label.text).toBe("Why reject?");
    expect(block.element).toMatchObject({ type: "plain_text_input", multiline: true });
  });

  it("reads the reason, or an inline error when it is blank", () => {
    expect(readReason(stateValues(view.blocks, { reason: typed("Numbers are off by 10x") }))).toEqual({ ok: true, text: "Numbers are off by 10x" });
    const blank = readReason(stateValues(view.blocks, { reason: typed("") }));
    expect(blank.ok).toBe(false);
    if (!blank.ok) expect(Object.keys(blank.errors)).toEqual(["reason"]);
  });
});
