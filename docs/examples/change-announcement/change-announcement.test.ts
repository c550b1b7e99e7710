import { describe, expect, it } from "vitest";
import { testChain } from "../../../src/testing/index.js";
import chain from "./index.js";

/** Beside the chain: examples.json and example-input.json are found here. */
const folder = new URL(".", import.meta.url);

const revised = {
  headline: "Orders database upgrade on Saturday 06:00 UTC",
  body: "For about five minutes from 06:00 UTC on Saturday new orders cannot be saved. Reading past orders keeps working.",
};

describe("change-announcement", () => {
  it("posts the announcement once it is approved", async () => {
    const result = await testChain(chain, { folder });
    expect(result.problems).toEqual([]);
    expect(result.outputs.assess?.risk).toBe("medium");
    expect(result.notifications.map((sent) => sent.title)).toEqual([result.outputs.announcement?.headline]);
  });

  it("sends a low-risk assessment with downtime back to the model", async () => {
    const assessment = { service: "postgres (orders database)", risk: "low", downtimeMinutes: 5, reasons: ["A restart."] };
    const result = await testChain(chain, { folder, answers: { assess: [assessment, { ...assessment, risk: "medium" }] } });
    expect(result.problems).toEqual([]);
    expect(result.checks.map((check) => [check.passed, check.problems])).toEqual([
      [false, ["a change with downtime is not low risk"]],
      [true, []],
    ]);
  });

  it("posts what the reviewer edited", async () => {
    const result = await testChain(chain, { folder, decisions: { announcement: { kind: "edit", output: revised } } });
    expect(result.problems).toEqual([]);
    expect(result.notifications[0]?.text).toBe(revised.body);
  });

  it("asks again with the reviewer's comment, and posts the new answer once approved", async () => {
    const comment = "Say that reading past orders keeps working.";
    const result = await testChain(chain, {
      folder,
      decisions: { announcement: [{ kind: "request_changes", comment, answer: revised }, "approve"] },
    });
    expect(result.problems).toEqual([]);
    expect(result.modelCalls.at(-1)?.messages.at(-1)?.content).toContain(comment);
    expect(result.outputs.announcement).toEqual(revised);
  });

  it("posts nothing when the announcement is rejected", async () => {
    const result = await testChain(chain, { folder, decisions: { announcement: { kind: "reject", reason: "The upgrade moved." } } });
    expect(result.problems).toEqual([]);
    expect(result.status).toBe("rejected");
    expect(result.notifications).toEqual([]);
  });
});
