import { describe, expect, it } from "vitest";
import { humanizeKey, renderValue } from "../../src/rendering/render-value.js";

describe("renderValue", () => {
  it("renders step outputs for people, not as JSON", () => {
    const text = renderValue({
      title: "Plan",
      monthlyTotalLow: 5300,
      steps: ["restart", "verify"],
      risks: [{ risk: "data loss", mitigation: "snapshot first" }],
      empty: [],
    });
    expect(text).toBe(
      [
        "Title: Plan",
        "Monthly total low: 5,300",
        "Steps:",
        "  • restart",
        "  • verify",
        "Risks:",
        "  • Risk: data loss · Mitigation: snapshot first",
        "Empty:",
        "  (none)",
      ].join("\n"),
    );
    expect(text).not.toContain("{");
  });

  it("humanizes keys", () => {
    expect(humanizeKey("cost-estimate")).toBe("Cost estimate");
    expect(humanizeKey("requirementId")).toBe("Requirement id");
  });
});
