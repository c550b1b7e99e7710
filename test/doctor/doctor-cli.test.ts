import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-process.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { startFakeOpenAiServer, type FakeOpenAiServer } from "../support/fake-openai-server.js";
import { MANIFEST_SCOPES, startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * `baton doctor` as a person runs it (a child process), against the fake OpenAI, Slack and GitHub
 * servers: the all-green path, then each ✗ with the line and the fix the user sees and exit 1.
 */

const directory = makeTempDirectory("baton-doctor-");
const KEY = "sk-doctor-valid-key-0001";
const BOT_TOKEN = "xoxb-doctor-token";
const GITHUB_TOKEN = "ghp_doctor_token";
let model: FakeOpenAiServer;
let slack: FakeSlackServer;
let github: FakeGitHubServer;
let databaseCount = 0;

beforeAll(async () => {
  [model, slack, github] = await Promise.all([startFakeOpenAiServer(), startFakeSlackServer(), startFakeGitHubServer()]);
});
afterAll(async () => {
  await Promise.all([model.close(), slack.close(), github.close()]);
  directory.remove();
});

beforeEach(() => {
  // A correctly set-up deployment; each test breaks one thing.
  model.setApiKey(KEY);
  model.setModels(["gpt-4o-mini", "gpt-4o"]);
  model.setFallback(() => ({ kind: "json", value: { status: "ok" } }));
  slack.setBotToken(BOT_TOKEN);
  slack.setScopes(MANIFEST_SCOPES);
  slack.setChannel("C0OPS", { name: "ops", isMember: true });
  slack.setChannel("C0INCIDENT", { name: "incidents" });
  slack.setUser("U0APPROVER");
  slack.setGroupMembers("S0ONCALL", ["U0APPROVER"]);
  github.setToken(GITHUB_TOKEN);
  github.setRepository("acme/infra", { private: true });
});

function environment(overrides: Record<string, string> = {}): Record<string, string> {
  databaseCount += 1;
  return {
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: `${model.url}/v1`,
    BATON_MODEL: "gpt-4o-mini",
    BATON_FALLBACK_MODELS: "gpt-4o",
    BATON_MODEL_MAX_RETRIES: "0",
    BATON_DB: join(directory.path, `doctor-${String(databaseCount)}.db`),
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: "8f742231b10e8888abcd00000a0085a5",
    SLACK_API_URL: slack.apiUrl,
    BATON_SLACK_CHANNEL: "C0OPS",
    BATON_INCIDENT_CHANNEL: "C0INCIDENT",
    BATON_APPROVERS: "U0APPROVER",
    BATON_ONCALL: "S0ONCALL",
    BATON_WEBHOOK_TOKEN: "doctor-webhook-token-0123456789",
    GITHUB_TOKEN,
    GITHUB_API_URL: github.apiUrl,
    BATON_REVIEW_REPOSITORIES: "acme/infra",
    ...overrides,
  };
}

async function doctor(overrides: Record<string, string> = {}, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(["doctor", ...args], environment(overrides));
}

/** The ✗ line that mentions `checked`, and the fix line under it. */
function failure(stdout: string, checked: string): { line: string; fix: string } {
  const lines = stdout.split("\n");
  const index = lines.findIndex((line) => line.includes("✗") && line.includes(checked));
  if (index < 0) throw new Error(`no ✗ line for ${checked} in:\n${stdout}`);
  return { line: lines[index] ?? "", fix: lines[index + 1] ?? "" };
}

describe("baton doctor", () => {
  it("all green: every area checked, the structured call's response mode named, exit 0", async () => {
    const result = await doctor();
    expect(result.stdout).toContain("0 failed (✗)");
    expect(result.stdout).toContain("baton is ready.");
    expect(result.stdout).toMatch(/✓ configuration: parses \(CLI and bot\)/);
    expect(result.stdout).toMatch(/✓ database .*writable; migrated to schema version \d+/);
    expect(result.stdout).toMatch(/✓ model server .*: reachable; the key is accepted/);
    expect(result.stdout).toMatch(/✓ model gpt-4o-mini \(BATON_MODEL\): the server has it/);
    expect(result.stdout).toMatch(/✓ model gpt-4o \(BATON_FALLBACK_MODELS\): the server has it/);
    expect(result.stdout).toMatch(/✓ structured call to gpt-4o-mini: answered valid JSON; response mode json_schema_strict/);
    expect(result.stdout).toMatch(/✓ Slack token \(SLACK_BOT_TOKEN\): valid/);
    expect(result.stdout).toMatch(/✓ Slack scopes: all \d+ the manifest asks for are granted/);
    expect(result.stdout).toMatch(/✓ Slack channel C0OPS \(BATON_SLACK_CHANNEL\): #ops: baton is a member/);
    expect(result.stdout).toMatch(/✓ Slack channel C0INCIDENT \(BATON_INCIDENT_CHANNEL\): #incidents: public; baton posts with chat:write.public/);
    expect(result.stdout).toMatch(/✓ Slack user U0APPROVER \(BATON_APPROVERS\): exists/);
    expect(result.stdout).toMatch(/✓ Slack user group S0ONCALL \(BATON_ONCALL\): exists with 1 member/);
    expect(result.stdout).toMatch(/✓ GitHub repository acme\/infra: GITHUB_TOKEN can read it \(private\)/);
    expect(result.stdout).toMatch(
      /✓ webhook \/webhooks\/alertmanager \(BATON_WEBHOOK_TOKEN\): runs of incident-response are shown in C0OPS \(BATON_SLACK_CHANNEL\)/,
    );
    expect(result.code).toBe(0);
    // The key went to the Models API, and one structured call was made.
    expect(model.requests.some((request) => request.method === "GET" && request.path === "/v1/models/gpt-4o-mini")).toBe(true);
  });

  it("--json prints one JSON document with every check", async () => {
    const result = await doctor({}, ["--json"]);
    const report = JSON.parse(result.stdout) as { ok: boolean; failed: number; checks: Array<{ area: string; status: string; checked: string }> };
    expect(report.ok).toBe(true);
    expect(report.failed).toBe(0);
    expect(new Set(report.checks.map((check) => check.area))).toEqual(new Set(["config", "database", "model", "slack", "github", "webhooks"]));
    expect(result.code).toBe(0);
  });

  it("--schemas sends every shipped LLM step's schema once and reports each", async () => {
    const before = model.requests.filter((request) => request.method === "POST").length;
    const result = await doctor({}, ["--schemas"]);
    expect(result.stdout).toMatch(/✓ schema of incident-response › classify: accepted; response mode/);
    expect(result.stdout).toMatch(/✓ schema of rfp-response › extract: accepted/);
    const calls = model.requests.filter((request) => request.method === "POST").length - before;
    expect(calls).toBeGreaterThan(5);
    expect(result.code).toBe(0);
  });

  it("a bad configuration value: ✗ naming the variable and the fix, exit 1", async () => {
    const result = await doctor({ BATON_MODEL_CONCURRENCY: "lots" });
    const { line } = failure(result.stdout, "configuration");
    expect(line).toContain("BATON_MODEL_CONCURRENCY is invalid");
    expect(result.stdout).toContain("Set it to a whole number from 1 to 256");
    expect(result.code).toBe(1);
  });

  it("a bad bot variable: ✗ naming it, and the other checks still run", async () => {
    const result = await doctor({ BATON_SLACK_CHANNEL: "#ops" });
    expect(failure(result.stdout, "configuration").line).toContain("BATON_SLACK_CHANNEL");
    expect(result.stdout).toMatch(/✓ database/);
    expect(result.code).toBe(1);
  });

  it("an unwritable database: ✗ with the store's fix", async () => {
    const file = join(directory.path, "not-a-folder");
    writeFileSync(file, "a file, not a folder");
    const result = await doctor({ BATON_DB: join(file, "baton.db") });
    const { line, fix } = failure(result.stdout, "database");
    expect(line).toContain("not-a-folder");
    expect(fix).toMatch(/fix: .*BATON_DB/);
    expect(result.code).toBe(1);
  });

  it("an unreachable model server: ✗ naming OPENAI_BASE_URL", async () => {
    const result = await doctor({ OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    const { line, fix } = failure(result.stdout, "model server http://127.0.0.1:9/v1");
    expect(line).toContain("no answer");
    expect(fix).toContain("Check OPENAI_BASE_URL");
    expect(result.code).toBe(1);
  });

  it("a key the server refuses: ✗ with the server's 401 message", async () => {
    const result = await doctor({ OPENAI_API_KEY: "sk-wrong-key-0000" });
    const { line, fix } = failure(result.stdout, "model server");
    expect(line).toContain("the key was refused (HTTP 401)");
    expect(line).toContain("Incorrect API key provided");
    expect(fix).toContain("Set OPENAI_API_KEY");
    expect(result.code).toBe(1);
  });

  it("an unknown model: ✗ naming BATON_MODEL", async () => {
    const result = await doctor({ BATON_MODEL: "gpt-nonexistent" });
    const { line, fix } = failure(result.stdout, "model gpt-nonexistent (BATON_MODEL)");
    expect(line).toContain("The model 'gpt-nonexistent' does not exist");
    expect(fix).toContain("Set BATON_MODEL to a model the server lists");
    expect(result.code).toBe(1);
  });

  it("a structured call the server refuses: ✗ with the server's message", async () => {
    model.setFallback(() => ({
      kind: "status",
      status: 400,
      body: {
        error: {
          message: "Invalid schema for response_format 'baton_doctor': the server refuses every request here.",
          type: "invalid_request_error",
          param: "response_format",
          code: null,
        },
      },
    }));
    const result = await doctor();
    const { line } = failure(result.stdout, "structured call to gpt-4o-mini");
    expect(line).toContain("refuses every request");
    expect(result.code).toBe(1);
  });

  it("a bad Slack token: ✗ saying where to copy the right one", async () => {
    const result = await doctor({ SLACK_BOT_TOKEN: "xoxb-revoked" });
    const { line, fix } = failure(result.stdout, "Slack token (SLACK_BOT_TOKEN)");
    expect(line).toContain("invalid_auth");
    expect(fix).toContain("OAuth & Permissions");
    expect(result.code).toBe(1);
  });

  it("a missing scope: ✗ naming it, and a lookup that needs it says so too", async () => {
    slack.setScopes(MANIFEST_SCOPES.filter((scope) => scope !== "users:read"));
    const result = await doctor();
    const scopes = failure(result.stdout, "Slack scopes");
    expect(scopes.line).toContain("missing users:read");
    expect(scopes.fix).toContain("reinstall the app");
    expect(failure(result.stdout, "Slack user U0APPROVER").line).toContain("missing_scope users:read");
    expect(result.code).toBe(1);
  });

  it("an unknown channel and a private channel baton is not in: ✗ with the fix for each", async () => {
    slack.setChannel("C0SECRET", { name: "secret", isPrivate: true });
    const result = await doctor({ BATON_SLACK_CHANNEL: "C0NOSUCH", BATON_INCIDENT_CHANNEL: "C0SECRET" });
    const unknown = failure(result.stdout, "Slack channel C0NOSUCH (BATON_SLACK_CHANNEL)");
    expect(unknown.line).toContain("no such channel that baton can see");
    expect(unknown.fix).toContain("/invite @baton");
    expect(failure(result.stdout, "Slack channel C0SECRET (BATON_INCIDENT_CHANNEL)").line).toContain("no such channel");
    expect(result.code).toBe(1);
  });

  it("a public channel baton is not in, without chat:write.public: ✗ asking to invite baton", async () => {
    slack.setScopes(MANIFEST_SCOPES.filter((scope) => scope !== "chat:write.public"));
    const result = await doctor();
    const { line, fix } = failure(result.stdout, "Slack channel C0INCIDENT");
    expect(line).toContain("lacks chat:write.public");
    expect(fix).toContain("Invite baton to #incidents");
    expect(result.code).toBe(1);
  });

  it("an unknown approver and an unknown user group: ✗ for each, naming the variable", async () => {
    const result = await doctor({ BATON_APPROVERS: "U0GONE", BATON_ONCALL: "S0NOSUCH" });
    const user = failure(result.stdout, "Slack user U0GONE (BATON_APPROVERS)");
    expect(user.line).toContain("no such user");
    expect(user.fix).toContain("BATON_APPROVERS");
    const group = failure(result.stdout, "Slack user group S0NOSUCH (BATON_ONCALL)");
    expect(group.line).toContain("no such user group");
    expect(result.code).toBe(1);
  });

  it("a repository GITHUB_TOKEN cannot read, and a token GitHub refuses: ✗ with the fix", async () => {
    const hidden = await doctor({ BATON_REVIEW_REPOSITORIES: "acme/secret" });
    const notFound = failure(hidden.stdout, "GitHub repository acme/secret");
    expect(notFound.line).toContain("404");
    expect(notFound.fix).toContain("give GITHUB_TOKEN access to acme/secret");
    expect(hidden.code).toBe(1);
    const refused = await doctor({ GITHUB_TOKEN: "ghp_expired" });
    const badToken = failure(refused.stdout, "GitHub repository acme/infra");
    expect(badToken.line).toContain("HTTP 401");
    expect(badToken.fix).toContain("Replace GITHUB_TOKEN");
    expect(refused.code).toBe(1);
  });

  it("a webhook enabled without a channel: ✗ naming the variable to set", async () => {
    const result = await doctor({ BATON_SLACK_CHANNEL: "", BATON_INCIDENT_CHANNEL: "" });
    const { line, fix } = failure(result.stdout, "webhook /webhooks/alertmanager (BATON_WEBHOOK_TOKEN)");
    expect(line).toContain("no channel to show their approval in");
    expect(fix).toContain("Set BATON_INCIDENT_CHANNEL");
    expect(failure(result.stdout, "webhook /webhooks/terraform-plan").fix).toContain("Set BATON_SLACK_CHANNEL");
    expect(result.code).toBe(1);
  });

  it("with only BATON_INCIDENT_CHANNEL, incident runs are shown there", async () => {
    const result = await doctor({ BATON_SLACK_CHANNEL: "" });
    expect(result.stdout).toMatch(
      /✓ webhook \/webhooks\/alertmanager \(BATON_WEBHOOK_TOKEN\): runs of incident-response are shown in C0INCIDENT \(BATON_INCIDENT_CHANNEL\)/,
    );
  });

  it("warnings are not failures: no Slack, no GitHub, exit 0", async () => {
    const result = await doctor({ SLACK_BOT_TOKEN: "", GITHUB_TOKEN: "", BATON_WEBHOOK_TOKEN: "" });
    expect(result.stdout).toMatch(/! Slack \(SLACK_BOT_TOKEN\): not set/);
    expect(result.stdout).toMatch(/! GitHub \(GITHUB_TOKEN\): not configured/);
    expect(result.stdout).toContain("0 failed (✗)");
    expect(result.code).toBe(0);
  });

  it("a local server named by OPENAI_BASE_URL alone: no key needed, and the model is looked up there", async () => {
    model.setApiKey(undefined);
    model.setModels(["llama3.1:8b"]);
    const result = await doctor({ OPENAI_API_KEY: "", BATON_MODEL: "llama3.1:8b", BATON_FALLBACK_MODELS: "" });
    expect(result.stdout).toMatch(/✓ model llama3\.1:8b \(BATON_MODEL\): the server has it/);
    expect(result.stdout).toMatch(/✓ structured call to llama3\.1:8b: answered valid JSON; response mode json_schema_strict/);
    expect(result.code).toBe(0);
  });

  it("a server with JSON mode only: the structured call still succeeds, and says the response mode it ended in", async () => {
    const jsonOnly = await startFakeOpenAiServer({ profile: "json-object-only" });
    jsonOnly.setFallback(() => ({ kind: "json", value: { status: "ok" } }));
    try {
      const result = await doctor({ OPENAI_BASE_URL: `${jsonOnly.url}/v1` });
      expect(result.stdout).toMatch(/✓ structured call to gpt-4o-mini: answered valid JSON; response mode json_object/);
      expect(result.code).toBe(0);
    } finally {
      await jsonOnly.close();
    }
  });

  it("Azure OpenAI: the deployment is reached by the structured call; an unknown one is ✗ with Azure's 404", async () => {
    const azure = await startFakeOpenAiServer({ apiKey: "azure-key", azure: { deployments: ["gpt4o-prod"], apiVersions: ["2024-10-21"] } });
    azure.setFallback(() => ({ kind: "json", value: { status: "ok" } }));
    const variables = {
      OPENAI_API_KEY: "",
      OPENAI_BASE_URL: "",
      AZURE_OPENAI_ENDPOINT: azure.url,
      AZURE_OPENAI_API_KEY: "azure-key",
      OPENAI_API_VERSION: "2024-10-21",
      BATON_FALLBACK_MODELS: "",
    };
    try {
      const good = await doctor({ ...variables, BATON_MODEL: "gpt4o-prod" });
      expect(good.stdout).toMatch(/! deployment "gpt4o-prod" on Azure OpenAI/);
      expect(good.stdout).toMatch(/✓ structured call to gpt4o-prod: answered valid JSON; response mode json_schema_strict/);
      expect(good.code).toBe(0);
      const bad = await doctor({ ...variables, BATON_MODEL: "gpt-4o-mini" });
      expect(failure(bad.stdout, "structured call to gpt-4o-mini").line).toMatch(/The API deployment for this resource does not exist/);
      expect(bad.code).toBe(1);
    } finally {
      await azure.close();
    }
  });
});
