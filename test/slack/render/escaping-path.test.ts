import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderNotification } from "../../../src/slack/notification-message.js";
import { renderApprovalCard } from "../../../src/slack/render/approval-card.js";
import { renderError, renderRunList } from "../../../src/slack/render/command-replies.js";
import { escapeMrkdwn, md } from "../../../src/slack/render/mrkdwn.js";
import { renderProgressCard } from "../../../src/slack/render/progress-card.js";
import { renderStepOutputMessage } from "../../../src/slack/render/step-output-message.js";
import { HOSTILE_TEXT, INJECTION_CORPUS, unbuiltMarkup } from "../../support/injection-corpus.js";
import { approval, chain, NOW, run, step } from "./fixtures.js";

/**
 * Issue 13 item 1: every string that reaches Slack passes one escaping path. The renderers are
 * fed hostile text everywhere it can come from (alerts, models, people) and what they produce is
 * read the way Slack reads it.
 */

const asCall = (method: string, message: { text: string; blocks: unknown }) => ({ method, args: { text: message.text, blocks: message.blocks } });
const built = { mentionable: new Set(["U0ONCALL1", "U0APPROVER1", "U0ALICE1", "S0ONCALL1"]) };

describe("one escaping path to Slack", () => {
  it("a notification's top-level text (what Slack notifies with) carries alert and model text escaped, and only configured mentions", () => {
    const message = renderNotification({
      runId: "r_1",
      stepId: "notify",
      idempotencyKey: "k",
      title: `Incident SEV1: ${HOSTILE_TEXT}`,
      text: `Plan: ${HOSTILE_TEXT}`,
      mentions: ["U0ONCALL1", "<!channel>"],
    });
    expect(unbuiltMarkup([asCall("chat.postMessage", message)], built)).toEqual([]);
    expect(message.text).toContain("&lt;!channel&gt;");
    expect(message.text).toContain("&lt;https://evil.example/model|click me&gt;");
    // Pre-escaped text is shown as typed, not decoded into markup.
    expect(message.text).toContain("&amp;lt;!channel&amp;gt;");
    expect(JSON.stringify(message.blocks)).toContain("<@U0ONCALL1>");
  });

  it("every card and reply stays free of unbuilt markup whatever the run, step output, approval or error holds", () => {
    for (const hostile of INJECTION_CORPUS) {
      const output = { summary: hostile, steps: [hostile, { command: hostile }], [hostile]: hostile };
      const hostileRun = run("failed", 1, {
        startedBy: hostile,
        error: { code: "MODEL_FAILED", message: hostile, stepId: "plan" },
        origin: { source: hostile },
      });
      const messages = [
        renderProgressCard({
          run: hostileRun,
          chain: { ...chain, title: hostile },
          steps: [step(0, output)],
          approvals: [approval({ proposal: output, comment: hostile })],
          scripted: false,
          now: NOW,
        }),
        renderApprovalCard({
          approval: approval({ proposal: output, approvers: ["U0APPROVER1", hostile], requestedBy: hostile }),
          run: run("awaiting_approval", 1),
          chain,
          title: hostile,
          scripted: false,
          now: NOW,
        }),
        renderApprovalCard({
          approval: approval({ status: "rejected", decidedBy: hostile, decidedAt: NOW, comment: hostile }),
          run: run("rejected", 1),
          chain,
          scripted: false,
          now: NOW,
        }),
        renderStepOutputMessage({
          run: run("running", 1),
          chain: { ...chain, steps: chain.steps.map((entry) => ({ ...entry, description: hostile })) },
          step: step(0, output),
          scripted: false,
        }),
        renderRunList([hostileRun, run("succeeded", 3, { chainId: hostile })], { scope: "all", now: NOW }),
        renderError({ code: "APPROVAL_NOT_ALLOWED", message: `Only U0APPROVER1 may decide ${hostile}`, runId: hostile, mentionable: ["U0APPROVER1"] }),
      ];
      expect(
        unbuiltMarkup(
          messages.map((message) => asCall("chat.postMessage", message)),
          built,
        ),
        hostile,
      ).toEqual([]);
    }
  });

  it("the md tag keeps baton's literal markup and takes only escaped values", () => {
    const title = escapeMrkdwn("<!here>");
    expect(md`*${title}* · ${3}`).toBe("*&lt;!here&gt;* · 3");
  });

  it("nothing outside the escaping path vouches for text (no cast to Mrkdwn, no hand-made mrkdwn objects)", () => {
    const root = join(import.meta.dirname, "..", "..", "..", "src");
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    const offenders: string[] = [];
    // These build text objects from `Mrkdwn` (or a constant of baton's own) and are the path itself.
    const path = new Set([
      "slack/render/mrkdwn.ts",
      "slack/render/blocks.ts",
      "slack/render/block-limits.ts",
      "slack/modals/block-kit.ts",
      "slack/render/approval-buttons.ts",
    ]);
    for (const file of files) {
      const relative = file.split("\\").join("/");
      const source = readFileSync(join(root, file), "utf8");
      if (/as Mrkdwn\b/.test(source) && relative !== "slack/render/mrkdwn.ts") offenders.push(`${relative}: casts to Mrkdwn`);
      if (/type: "mrkdwn"/.test(source) && !path.has(relative)) offenders.push(`${relative}: builds a mrkdwn text object by hand`);
    }
    expect(offenders).toEqual([]);
  });
});
