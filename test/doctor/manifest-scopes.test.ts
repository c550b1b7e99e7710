import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MANIFEST_BOT_SCOPES } from "../../src/slack/manifest-scopes.js";
import { MANIFEST_SCOPES } from "../support/fake-slack-server.js";

/** `baton doctor` checks the token against the scopes manifest.yml asks for: the lists must agree. */
describe("the manifest's bot scopes", () => {
  it("are the ones baton doctor checks, and the ones the fake Slack grants by default", () => {
    const manifest = readFileSync(new URL("../../manifest.yml", import.meta.url), "utf8");
    const botSection = /\n {4}bot:\n((?: {6}.*\n)+)/.exec(manifest)?.[1] ?? "";
    const scopes = [...botSection.matchAll(/^ {6}- (\S+)$/gm)].map((match) => match[1]);
    expect(scopes.length).toBeGreaterThan(0);
    expect([...scopes].sort()).toEqual([...MANIFEST_BOT_SCOPES].sort());
    expect([...MANIFEST_SCOPES].sort()).toEqual([...MANIFEST_BOT_SCOPES].sort());
  });
});
