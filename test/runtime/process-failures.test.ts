import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import { installProcessFailureHandlers } from "../../src/runtime/process-failures.js";

/**
 * Issue 13 item 2: what the bot does with failures nothing caught. The handlers are called as
 * Node calls them (the listeners it registered), not emitted, so the test runner's own stay out.
 */

function recordingLogger(): { logger: Logger; lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

describe("process failure handlers", () => {
  it("an unhandled rejection is logged with its reason and stack, and the process keeps serving", () => {
    const { logger, lines } = recordingLogger();
    const exits: number[] = [];
    const uninstall = installProcessFailureHandlers(logger, (code) => exits.push(code));
    try {
      const listener = process.listeners("unhandledRejection").at(-1) as (reason: unknown, promise: Promise<unknown>) => void;
      listener(new Error("lost a promise: Bearer abcdefghijkl"), Promise.resolve());
      expect(exits).toEqual([]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: "error", fields: { error: "lost a promise: Bearer [redacted]" } });
      expect(String(lines[0]?.fields["stack"])).toContain("process-failures.test.ts");
      expect(lines[0]?.message).toContain("keeps serving");
    } finally {
      uninstall();
    }
  });

  it("an uncaught exception is logged with its origin, then exit 70 for the supervisor", () => {
    const { logger, lines } = recordingLogger();
    const exits: number[] = [];
    const uninstall = installProcessFailureHandlers(logger, (code) => exits.push(code));
    try {
      const listener = process.listeners("uncaughtException").at(-1) as (error: Error, origin: string) => void;
      listener(new TypeError("Cannot read properties of null (reading 'ssl_check')"), "uncaughtException");
      expect(exits).toEqual([70]);
      expect(lines[0]).toMatchObject({
        level: "error",
        fields: { origin: "uncaughtException", error: "Cannot read properties of null (reading 'ssl_check')" },
      });
      expect(lines[0]?.message).toContain("exiting (code 70)");
    } finally {
      uninstall();
    }
    expect(process.listeners("uncaughtException").some((listener) => listener.name === "onException")).toBe(false);
  });
});
