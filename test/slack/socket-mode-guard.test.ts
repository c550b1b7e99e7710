import { SocketModeReceiver } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { isHandledSlackRequest } from "../../src/slack/handled-requests.js";
import { slackLogger } from "../../src/slack/slack-web-client.js";
import { guardSocketModeEnvelopes } from "../../src/slack/socket-mode-guard.js";
import { silentLogger } from "../support/runner-harness.js";

/**
 * The guard stands in front of the Socket Mode client's one message handler. A client that does
 * not have exactly one (another @slack/socket-mode than the pinned one) is refused at start-up,
 * saying how to fix the install, rather than left unguarded or handling each message twice.
 */

const receiver = (): SocketModeReceiver => new SocketModeReceiver({ appToken: "xapp-1-test", logger: slackLogger(silentLogger) });

describe("guardSocketModeEnvelopes", () => {
  it("takes the client's one message handler and puts itself in its place", () => {
    const { client } = receiver();
    const [parse] = client.listeners("ws_message");
    guardSocketModeEnvelopes(client, { isHandled: isHandledSlackRequest, logger: silentLogger });
    const now = client.listeners("ws_message");
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(parse);
  });

  it("refuses a client with another number of message handlers, naming the fix, and leaves it as it was", () => {
    const { client } = receiver();
    const extra = (): void => undefined;
    client.on("ws_message", extra);
    const before = client.listeners("ws_message");
    expect(() => guardSocketModeEnvelopes(client, { isHandled: isHandledSlackRequest, logger: silentLogger })).toThrow(
      expect.objectContaining({
        code: "CONFIG_INVALID",
        message: expect.stringContaining("its client has 2 message handlers; baton expects one). Reinstall baton's pinned dependencies (npm ci)"),
      }),
    );
    expect(client.listeners("ws_message")).toEqual(before);
  });
});
