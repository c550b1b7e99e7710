import { textReply } from "../../src/slack/render/command-replies.js";
import { escapeMrkdwn } from "../../src/slack/render/mrkdwn.js";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import type { Logger } from "../../src/core/ports.js";
import { MESSAGE_KEY_EVENT } from "../../src/slack/posted-message-lookup.js";
import { RunProjection } from "../../src/slack/run-projection.js";
import { createBackgroundClient } from "../../src/slack/slack-web-client.js";
import { openSqliteState, type SqliteState } from "../../src/store/index.js";
import { startFakeSlackServer, type FakeSlackServer } from "../support/fake-slack-server.js";
import { silentLogger } from "../support/runner-harness.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/**
 * A message is posted once across a crash between Slack's answer and the ledger write: the key
 * is claimed before the post and travels as message metadata, and a claim without a ts is
 * looked up in Slack (conversations.history / conversations.replies) before anything is posted
 * again. Real ledger on a SQLite file, the real Web API client against the fake Slack.
 */

let directory: { path: string; remove(): void };
let state: SqliteState;
let slack: FakeSlackServer;
let warnings: string[];
let projection: RunProjection;

beforeEach(async () => {
  directory = makeTempDirectory("baton-once-");
  state = openSqliteState(join(directory.path, "baton.db"));
  slack = await startFakeSlackServer();
  warnings = [];
  const logger: Logger = { ...silentLogger, warn: (_fields, message) => void warnings.push(message) };
  projection = new RunProjection({
    store: state.store,
    ledger: state.ledger,
    chains: new ChainRegistry(),
    client: createBackgroundClient({ token: "xoxb-once", apiUrl: slack.apiUrl, logger, backgroundRetry: { retries: 0 } }),
    clock: { now: () => Date.now() },
    logger,
    scripted: false,
    defaultChannel: "C0ONCE",
  });
});
afterEach(async () => {
  projection.close();
  state.close();
  await slack.close();
  directory.remove();
});

const message = (text: string) => textReply(escapeMrkdwn(text));

describe("RunProjection.upsert across a crash", () => {
  it("claims the key before posting and sends it as message metadata", async () => {
    const ts = await projection.upsert("card:r_1", "r_1", "C0ONCE", message("the card"));
    const [post] = slack.callsOf("chat.postMessage");
    expect(post?.args["metadata"]).toEqual({ event_type: MESSAGE_KEY_EVENT, event_payload: { key: "card:r_1" } });
    expect(await state.ledger.getMessage("card:r_1")).toMatchObject({ ts, channel: "C0ONCE" });
  });

  it("a claim left without a ts finds the message already in the channel, records it and posts nothing", async () => {
    // What a process killed between Slack's answer and the ledger write leaves behind.
    const client = createBackgroundClient({ token: "xoxb-once", apiUrl: slack.apiUrl, logger: silentLogger, backgroundRetry: { retries: 0 } });
    await state.ledger.claimMessage({ key: "card:r_2", runId: "r_2", channel: "C0ONCE", at: Date.now() });
    const earlier = await client.chat.postMessage({
      channel: "C0ONCE",
      text: "the card",
      metadata: { event_type: MESSAGE_KEY_EVENT, event_payload: { key: "card:r_2" } },
    });
    await client.chat.postMessage({ channel: "C0ONCE", text: "another card", metadata: { event_type: MESSAGE_KEY_EVENT, event_payload: { key: "card:r_3" } } });
    const postsBefore = slack.callsOf("chat.postMessage").length;

    const ts = await projection.upsert("card:r_2", "r_2", "C0ONCE", message("the card, now"));
    expect(ts).toBe(earlier.ts);
    expect(slack.callsOf("chat.postMessage")).toHaveLength(postsBefore);
    // Found with no record of what it shows: it is brought up to date in place.
    expect(slack.callsOf("chat.update").map((call) => call.args["ts"])).toEqual([earlier.ts]);
    expect(slack.callsOf("conversations.history")[0]?.args).toMatchObject({ channel: "C0ONCE", include_all_metadata: "true" });
    expect(await state.ledger.getMessage("card:r_2")).toMatchObject({ ts: earlier.ts });
  });

  it("a thread reply's claim is looked up in the thread", async () => {
    const parent = await projection.upsert("card:r_4", "r_4", "C0ONCE", message("the card"));
    const client = createBackgroundClient({ token: "xoxb-once", apiUrl: slack.apiUrl, logger: silentLogger, backgroundRetry: { retries: 0 } });
    await state.ledger.claimMessage({ key: "incident-update:i_1:7", runId: "r_4", channel: "C0ONCE", at: Date.now() });
    const reply = await client.chat.postMessage({
      channel: "C0ONCE",
      thread_ts: parent,
      text: "2 more alerts",
      metadata: { event_type: MESSAGE_KEY_EVENT, event_payload: { key: "incident-update:i_1:7" } },
    });

    expect(await projection.upsert("incident-update:i_1:7", "r_4", "C0ONCE", message("2 more alerts"), parent)).toBe(reply.ts);
    expect(slack.callsOf("conversations.replies")[0]?.args).toMatchObject({ channel: "C0ONCE", ts: parent, include_all_metadata: "true" });
    expect(slack.callsOf("chat.postMessage")).toHaveLength(2);
  });

  it("a claim whose message never reached Slack is posted; when Slack cannot be asked, it is posted and the log says which scopes avoid it", async () => {
    await state.ledger.claimMessage({ key: "card:r_5", runId: "r_5", channel: "C0ONCE", at: Date.now() });
    await projection.upsert("card:r_5", "r_5", "C0ONCE", message("the card"));
    expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    expect(warnings).toEqual([]);

    // An app installed without the history scopes: Slack answers missing_scope.
    await state.ledger.claimMessage({ key: "card:r_6", runId: "r_6", channel: "C0ONCE", at: Date.now() });
    slack.failNext("conversations.history", { kind: "error", error: "missing_scope" });
    await projection.upsert("card:r_6", "r_6", "C0ONCE", message("the card"));
    expect(slack.callsOf("chat.postMessage")).toHaveLength(2);
    expect(warnings.join("\n")).toContain("channels:history");
  });
});
