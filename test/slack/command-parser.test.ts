import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/slack/command-parser.js";

describe("parseCommand", () => {
  it("reads every subcommand", () => {
    expect(parseCommand("")).toEqual({ kind: "help" });
    expect(parseCommand("  help ")).toEqual({ kind: "help" });
    expect(parseCommand("chains")).toEqual({ kind: "chains" });
    expect(parseCommand("run solution-brief A portal for 40k users")).toEqual({ kind: "run", chainId: "solution-brief", text: "A portal for 40k users" });
    expect(parseCommand('run change-plan {"request": "a b  c"}')).toEqual({ kind: "run", chainId: "change-plan", text: '{"request": "a b  c"}' });
    expect(parseCommand("run solution-brief")).toEqual({ kind: "run", chainId: "solution-brief", text: "" });
    expect(parseCommand("status r_0abc-000-ff")).toEqual({ kind: "status", runId: "r_0abc-000-ff" });
    expect(parseCommand("runs")).toEqual({ kind: "runs", scope: "mine" });
    expect(parseCommand("runs all")).toEqual({ kind: "runs", scope: "all" });
    expect(parseCommand("pending")).toEqual({ kind: "pending" });
    expect(parseCommand("cancel r_1 wrong ticket, sorry")).toEqual({ kind: "cancel", runId: "r_1", reason: "wrong ticket, sorry" });
    expect(parseCommand("retry r_1")).toEqual({ kind: "retry", runId: "r_1" });
    expect(parseCommand("rerun r_1 architecture")).toEqual({ kind: "rerun", runId: "r_1", stepId: "architecture" });
    expect(parseCommand("rerun r_1 --from architecture")).toEqual({ kind: "rerun", runId: "r_1", stepId: "architecture" });
    expect(parseCommand("RUNS ALL".toLowerCase())).toEqual({ kind: "runs", scope: "all" });
  });

  it("anything else is the help, saying what was not understood", () => {
    expect(parseCommand("dance")).toEqual({ kind: "help", notUnderstood: "`dance` is not a baton command." });
    expect(parseCommand("run")).toMatchObject({ kind: "help", notUnderstood: expect.stringContaining("needs a chain id") });
    expect(parseCommand("status 42")).toMatchObject({ kind: "help", notUnderstood: expect.stringContaining("run id") });
    expect(parseCommand("cancel")).toMatchObject({ kind: "help" });
    expect(parseCommand("retry")).toMatchObject({ kind: "help", notUnderstood: expect.stringContaining("`retry` needs a run id") });
    expect(parseCommand("rerun r_1")).toMatchObject({ kind: "help", notUnderstood: expect.stringContaining("/baton rerun <run-id> <step>") });
    expect(parseCommand("rerun r_1 plan extra")).toMatchObject({ kind: "help", notUnderstood: expect.stringContaining("one step") });
    expect(parseCommand("runs yesterday")).toMatchObject({ kind: "help", notUnderstood: expect.stringContaining("mine") });
  });
});
