import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/core/ports.js";
import { RFP_BLOCKS, RFP_CALLBACK_ID } from "../../src/slack/modals/rfp-modal.js";
import { APPROVER, REQUESTER, SIGNING_SECRET, startBotHarness, type BotHarness } from "../support/bot-harness.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { hostileModel } from "../support/hostile-model.js";
import { HOSTILE_TEXT, INJECTION_CORPUS, unbuiltMarkup } from "../support/injection-corpus.js";
import { signBody, slashCommand, viewSubmission } from "../support/slack-requests.js";

/**
 * Issue 13 item 10: hostile text (mentions, links, fence-closing delimiters, RTL and zero-width
 * characters, prompt-injection phrases, pre-escaped entities) pushed through every webhook —
 * Alertmanager, Grafana, PagerDuty, generic, GitHub, terraform-plan, from the captured payloads —
 * and every `/baton` subcommand, with a model that echoes it in every free-text field. Then every
 * call the fake Slack received is read the way Slack reads mrkdwn: the only mentions are the
 * configured ids, the only links the ones baton built.
 */

const REPO_CHAINS = fileURLToPath(new URL("../../chains", import.meta.url));
const TOKEN = "corpus-webhook-token-0123456789";
const PD_SECRET = "corpus-pd-secret";
const GH_SECRET = "corpus-gh-secret";
const ONCALL = "S0ONCALL1";
const HEAD = "3f1e2d4c5b6a79880f1e2d3c4b5a69788f7e6d5c";
const json = (path: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8"));

/** Free text in the captured payloads: where senders put what alert authors and users write. */
const FREE_TEXT = new Set(["alertname", "summary", "description", "title", "message", "service", "instance", "job", "team", "grafana_folder", "name", "body"]);
/** Label and annotation maps: every value in them is free text. */
const FREE_MAPS = new Set(["labels", "annotations", "commonLabels", "commonAnnotations", "groupLabels"]);

function poisonPayload(value: unknown, key = "", inFreeMap = false): unknown {
  if (typeof value === "string") return FREE_TEXT.has(key) || inFreeMap ? `${value} ${HOSTILE_TEXT}` : value;
  if (Array.isArray(value)) return value.map((item) => poisonPayload(item, key, false));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([childKey, item]) => [childKey, poisonPayload(item, childKey, FREE_MAPS.has(key))]));
  return value;
}

let harness: BotHarness;
let github: FakeGitHubServer;
beforeAll(async () => {
  github = await startFakeGitHubServer();
  github.setPullRequest("acme/infra", 42, {
    headSha: HEAD,
    title: `scale checkout ${HOSTILE_TEXT}`,
    files: [
      {
        path: "envs/prod/main.tf",
        patch: `@@ -10,3 +10,3 @@\n resource "terraform_data" "checkout" {\n-  input = { replicas = 2 }\n+  input = { replicas = 3, note = "${HOSTILE_TEXT.replace(/"/g, "'")}" }\n }`,
      },
    ],
  });
  harness = await startBotHarness({
    environment: {
      BATON_CHAINS_DIR: REPO_CHAINS,
      BATON_WEBHOOK_TOKEN: TOKEN,
      PAGERDUTY_WEBHOOK_SECRET: PD_SECRET,
      GITHUB_WEBHOOK_SECRET: GH_SECRET,
      GITHUB_TOKEN: "ghp_corpus",
      GITHUB_API_URL: github.apiUrl,
      BATON_SLACK_CHANNEL: "C0OPS",
      BATON_INCIDENT_CHANNEL: "C0INCIDENT",
      BATON_ONCALL: ONCALL,
    },
  });
  harness.model.setFallback(hostileModel(REPO_CHAINS));
}, 30_000);
afterAll(async () => {
  await harness.close();
  await github.close();
});

async function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${String(harness.bot.port)}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function settle(): Promise<RunRecord[]> {
  const store = harness.bot.runtime.store;
  const deadline = Date.now() + 40_000;
  for (;;) {
    const runs = await store.listRuns({ limit: 100 });
    const pending = await store.listApprovals({ statuses: ["pending"], limit: 100 });
    // Approve what waits, as the configured approver would, on its card.
    for (const approval of pending)
      await harness.clickCard({ actionId: "baton.approve", approvalId: approval.id, userId: APPROVER, responseName: `approve-${approval.id}` });
    if (pending.length === 0 && runs.every((run) => run.status !== "running" && run.status !== "awaiting_approval")) return runs;
    if (Date.now() > deadline) throw new Error(`runs did not settle: ${runs.map((run) => `${run.id} ${run.status}`).join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the injection corpus through every edge", () => {
  it("no Slack call carries a mention or link baton did not build", async () => {
    const bearer = { authorization: `Bearer ${TOKEN}` };
    expect(await post("/webhooks/alertmanager", JSON.stringify(poisonPayload(json("webhooks/alertmanager/firing.json"))), bearer)).toBe(202);
    expect(await post("/webhooks/grafana", JSON.stringify(poisonPayload(json("webhooks/grafana/firing.json"))), bearer)).toBe(202);
    const pagerDuty = JSON.stringify(poisonPayload(json("webhooks/pagerduty/v3-incident-triggered.json")));
    expect(
      await post("/webhooks/pagerduty", pagerDuty, {
        "x-pagerduty-signature": `v1=${createHmac("sha256", PD_SECRET).update(pagerDuty).digest("hex")}`,
        "x-webhook-id": "corpus-1",
      }),
    ).toBe(202);
    for (const [index, text] of INJECTION_CORPUS.entries()) {
      const generic = {
        title: `Generic ${String(index)} ${text}`,
        severity: "critical",
        labels: { service: text, team: text },
        description: text,
        source: text.slice(0, 200),
        group: `corpus-${String(index)}`,
      };
      expect(await post("/webhooks/generic", JSON.stringify(generic), bearer)).toBe(202);
    }
    const pullRequest = JSON.stringify(poisonPayload(json("github/pull-request-opened.json")));
    expect(
      await post("/webhooks/github", pullRequest, {
        "x-github-event": "pull_request",
        "x-github-delivery": "corpus-delivery",
        "x-hub-signature-256": `sha256=${createHmac("sha256", GH_SECRET).update(pullRequest).digest("hex")}`,
      }),
    ).toBe(202);
    const plan = poisonPayload(json("iac/terraform-data-plan.json"));
    expect(await post("/webhooks/terraform-plan", JSON.stringify({ plan }), bearer)).toBe(202);

    for (const text of [...INJECTION_CORPUS, HOSTILE_TEXT]) {
      for (const command of [`run solution-brief ${text}`, `status ${text}`, `cancel ${text} ${text}`, `review ${text}`, text, `runs ${text}`]) {
        const answer = await harness.post(slashCommand({ text: command, userId: REQUESTER, responseUrl: harness.responseUrl("corpus") }, SIGNING_SECRET));
        expect(answer.status).toBe(200);
      }
    }
    for (const command of ["chains", "pending", "runs all", "help", "rfp"])
      await harness.post(slashCommand({ text: command, userId: APPROVER, responseUrl: harness.responseUrl("corpus") }, SIGNING_SECRET));
    // The RFP form, submitted with hostile title, customer (within the chain's 200 characters) and pasted document.
    const rfpText = `# Requirements\n\n1. The vendor must host the portal. ${HOSTILE_TEXT}\n2. ${HOSTILE_TEXT}`;
    const rfpState = {
      [RFP_BLOCKS.title]: { value: { type: "plain_text_input", value: `Portal ${HOSTILE_TEXT.slice(0, 150)}` } },
      [RFP_BLOCKS.customer]: { value: { type: "plain_text_input", value: HOSTILE_TEXT.slice(0, 150) } },
      [RFP_BLOCKS.file]: { value: { type: "static_select", selected_option: null } },
      [RFP_BLOCKS.text]: { value: { type: "plain_text_input", value: rfpText } },
    };
    expect(
      (
        await harness.post(
          viewSubmission(
            { callbackId: RFP_CALLBACK_ID, privateMetadata: JSON.stringify({ channelId: "C0DEALS" }), stateValues: rfpState, userId: REQUESTER },
            SIGNING_SECRET,
          ),
        )
      ).status,
    ).toBe(200);
    const home = JSON.stringify({
      type: "event_callback",
      team_id: "T0FAKE",
      api_app_id: "A0BATON",
      event: { type: "app_home_opened", user: APPROVER, channel: "D0HOME", tab: "home", event_ts: "1.1" },
      event_id: "Ev0CORPUS",
      event_time: 1,
    });
    await harness.post({ body: home, headers: { "content-type": "application/json", ...signBody(home, SIGNING_SECRET) } });

    const runs = await settle();
    // Resolving the alerts posts thread updates carrying the same hostile text.
    expect(await post("/webhooks/alertmanager", JSON.stringify(poisonPayload(json("webhooks/alertmanager/resolved.json"))), bearer)).toBe(202);
    await harness.bot.slack.projection.idle();
    await harness.slack.waitFor((calls) => calls.some((call) => call.method === "chat.postMessage" && call.args["channel"] === "C0INCIDENT"), 10_000);

    // Every run started, and the hostile text reached Slack (escaped) through each kind of edge.
    expect(new Set(runs.map((run) => run.chainId))).toEqual(new Set(["incident-response", "iac-review", "solution-brief", "rfp-response"]));
    const everything = JSON.stringify(harness.slack.calls.map((call) => call.args));
    expect(everything).toContain("&lt;!channel&gt;");
    const findings = unbuiltMarkup(harness.slack.calls, {
      mentionable: new Set([APPROVER, REQUESTER, ONCALL]),
      channels: new Set(["C0OPS", "C0INCIDENT", "C0RUNS", "C0DEALS"]),
      linkPrefixes: ["https://fake.slack.test/", "https://github.example/acme/infra/pull/42"],
    });
    expect(findings).toEqual([]);
  }, 90_000);
});
