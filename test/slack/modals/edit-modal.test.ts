import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BusinessSummary } from "../../../chains/solution-brief/schemas.js";
import { buildEditModal, EDIT_CALLBACK_ID, parseApprovalMetadata } from "../../../src/slack/modals/edit-modal.js";
import { readFormValues } from "../../../src/slack/modals/schema-form.js";
import { contextTexts, inputBlocks, stateValues, typed } from "./state-values.js";

const examples = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync("chains/solution-brief/examples.json", "utf8")));
const proposal = BusinessSummary.parse(examples["business-summary"]);

describe("buildEditModal", () => {
  it("is a modal for one approval whose submission approves the edit", () => {
    const view = buildEditModal({ approvalId: "a_01HZX", stepTitle: "Business summary", schema: BusinessSummary, proposal, scripted: false });
    expect(view.type).toBe("modal");
    expect(view.callback_id).toBe(EDIT_CALLBACK_ID);
    expect(EDIT_CALLBACK_ID).toBe("baton.edit_submit");
    // Only the id travels with the view; the handler loads the approval again.
    expect(view.private_metadata).toBe('{"approvalId":"a_01HZX"}');
    expect(parseApprovalMetadata(view.private_metadata ?? "")).toEqual({ ok: true, value: { approvalId: "a_01HZX" } });
    expect(view.title.text).toBe("Edit Business summary");
    expect(view.submit?.text).toBe("Approve edit");
    expect(view.close?.text).toBe("Cancel");
    expect(inputBlocks(view.blocks)).toHaveLength(Object.keys(BusinessSummary.shape).length);
    expect(contextTexts(view.blocks).join(" ")).toContain("recorded with a diff");
    expect(contextTexts(view.blocks).join(" ")).not.toContain("scripted");
  });

  it("reads back to the proposal when submitted unchanged", () => {
    const view = buildEditModal({ approvalId: "a_1", stepTitle: "Business summary", schema: BusinessSummary, proposal, scripted: false });
    expect(readFormValues(BusinessSummary, stateValues(view.blocks), proposal)).toEqual({ ok: true, value: proposal });
  });

  it("cuts a long step title to Slack's 24 characters", () => {
    const view = buildEditModal({ approvalId: "a_1", stepTitle: "Executive summary for the customer", schema: BusinessSummary, proposal, scripted: false });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(view.title.text).toBe("Edit Executive summary…");
  });

  it("says when the proposal came from the scripted model", () => {
    const view = buildEditModal({ approvalId: "a_1", stepTitle: "Summary", schema: BusinessSummary, proposal, scripted: true });
    expect(contextTexts(view.blocks).join(" ")).toContain("scripted demo model");
  });

  it("names the fields too long to edit and how to edit them at a terminal, and keeps them on submit", () => {
    const long = { ...proposal, executiveSummary: "A long summary. ".repeat(250) };
    const view = buildEditModal({ approvalId: "a_long", stepTitle: "Summary", schema: BusinessSummary, proposal: long, scripted: false });
    expect(inputBlocks(view.blocks).map((block) => block.block_id)).not.toContain("executiveSummary");
    const note = contextTexts(view.blocks).find((text) => text.includes("executiveSummary"));
    expect(note).toContain("baton approve a_long --edit");
    const edited = readFormValues(BusinessSummary, stateValues(view.blocks, { title: typed("A shorter title") }), long);
    expect(edited).toEqual({ ok: true, value: { ...long, title: "A shorter title" } });
  });

  it("stays within 100 blocks and 3000-character prefills for a very wide schema", () => {
    const shape = Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`field${index}`, z.string()]));
    const value = Object.fromEntries(Object.keys(shape).map((name, index) => [name, index === 0 ? "y".repeat(5000) : name]));
    const view = buildEditModal({ approvalId: "a_wide", stepTitle: "Wide", schema: z.object(shape), proposal: value, scripted: true });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const block of inputBlocks(view.blocks)) {
      if (block.element.type === "plain_text_input") expect(block.element.initial_value?.length ?? 0).toBeLessThanOrEqual(3000);
    }
    expect(readFormValues(z.object(shape), stateValues(view.blocks), value)).toEqual({ ok: true, value });
  });
});

describe("parseApprovalMetadata", () => {
  it("refuses metadata that is not what the modals write", () => {
    expect(parseApprovalMetadata("a_1").ok).toBe(false);
    expect(parseApprovalMetadata('{"approvalId":""}').ok).toBe(false);
    expect(parseApprovalMetadata('{"runId":"r_1"}').ok).toBe(false);
  });
});
