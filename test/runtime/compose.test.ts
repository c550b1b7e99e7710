import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { isBatonError } from "../../src/core/errors.js";
import { createRuntime } from "../../src/runtime/compose.js";
import { RecordingNotifier, silentLogger } from "../support/runner-harness.js";
import { makeTempDirectory } from "../support/temp-directory.js";

describe("wiring the runtime", () => {
  it("the bot refuses to start without OPENAI_API_KEY unless BATON_MODEL=scripted, and opens no database", async () => {
    const directory = makeTempDirectory();
    const databasePath = join(directory.path, "baton.db");
    try {
      const error = await createRuntime(parseConfig({ BATON_DB: databasePath }), {
        mode: "bot",
        notifier: new RecordingNotifier(),
        logger: silentLogger,
      }).catch((caught: unknown) => caught);
      expect(isBatonError(error, "MODEL_NOT_CONFIGURED")).toBe(true);
      expect((error as Error).message).toContain("OPENAI_API_KEY");
      expect((error as Error).message).toContain("BATON_MODEL=scripted");
      expect(existsSync(databasePath)).toBe(false);

      const scripted = await createRuntime(parseConfig({ BATON_DB: databasePath, BATON_MODEL: "scripted" }), {
        mode: "bot",
        notifier: new RecordingNotifier(),
        logger: silentLogger,
      });
      expect(scripted.scripted).toBe(true);
      await scripted.close();
    } finally {
      directory.remove();
    }
  });

  it("the CLI falls back to the scripted model with a one-line notice", async () => {
    const directory = makeTempDirectory();
    const notices: string[] = [];
    try {
      const runtime = await createRuntime(parseConfig({ BATON_DB: join(directory.path, "baton.db") }), {
        mode: "cli",
        notifier: new RecordingNotifier(),
        logger: silentLogger,
        notice: (text) => notices.push(text),
      });
      expect(runtime.scripted).toBe(true);
      expect(notices).toHaveLength(1);
      expect(notices[0]).not.toContain("\n");
      expect(runtime.chains.ids()).toContain("solution-brief");
      await runtime.close();
    } finally {
      directory.remove();
    }
  });

  it("uses the real model when a key is set", async () => {
    const directory = makeTempDirectory();
    try {
      const runtime = await createRuntime(parseConfig({ BATON_DB: join(directory.path, "baton.db"), OPENAI_API_KEY: "sk-test" }), {
        mode: "bot",
        notifier: new RecordingNotifier(),
        logger: silentLogger,
      });
      expect(runtime.scripted).toBe(false);
      await runtime.close();
    } finally {
      directory.remove();
    }
  });
});
