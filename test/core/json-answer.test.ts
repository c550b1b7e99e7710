import { describe, expect, it } from "vitest";
import { readJsonAnswer } from "../../src/core/json-answer.js";

describe("readJsonAnswer: the JSON in a model's answer", () => {
  it("reads bare JSON as is", () => {
    expect(readJsonAnswer(' {"a": 1} ')).toEqual({ ok: true, value: { a: 1 } });
  });

  it("takes the JSON out of a Markdown fence and the prose around it", () => {
    const text =
      'Sure! Here is the JSON you asked for:\n\n```json\n{"severity": "SEV2", "note": "a } in a string"}\n```\n\nLet me know if you would like changes.';
    expect(readJsonAnswer(text)).toEqual({ ok: true, value: { severity: "SEV2", note: "a } in a string" } });
  });

  it("takes the JSON out of prose with no fence, past a brace that never closes", () => {
    const text = 'Note {this aside never closes. The answer: {"steps": [{"command": "kubectl rollout undo"}], "quote": "\\"{\\""} Thanks.';
    expect(readJsonAnswer(text)).toEqual({ ok: true, value: { steps: [{ command: "kubectl rollout undo" }], quote: '"{"' } });
  });

  it("says why when there is no JSON at all", () => {
    const answer = readJsonAnswer("I cannot help with that.");
    expect(answer.ok).toBe(false);
    expect(answer.ok ? "" : answer.error).toMatch(/^not valid JSON \(/);
  });

  it("stays cheap on an answer full of braces", () => {
    expect(readJsonAnswer("{".repeat(200_000)).ok).toBe(false);
  });
});
