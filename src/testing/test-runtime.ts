import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../config.js";
import type { ChainResources } from "../core/chain.js";
import type { Logger, Notification, Notifier } from "../core/ports.js";
import { createRuntime, type Runtime, SCRIPTED_MODEL } from "../runtime/compose.js";
import type { LoadedChains } from "../runtime/load-chains.js";
import { TestModel } from "./test-model.js";

/**
 * The runtime a chain test runs on: baton's own composition (runner, store, resources) with the
 * test kit's model, a notifier that keeps what it was given, and a SQLite file in a temporary
 * folder that `close` removes. No Slack, no key, nothing of the real database touched.
 */

/** Keeps every notification (attachments included) instead of posting it. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];

  async notify(notification: Notification): Promise<{ reference: string }> {
    this.sent.push(notification);
    return { reference: `test:${notification.idempotencyKey}` };
  }
}

export interface TestRuntime {
  runtime: Runtime;
  model: TestModel;
  notifier: RecordingNotifier;
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  /** The environment to read settings from (BATON_CHAINS_DIR, the launcher's build); the model and database are the test's own. */
  environment: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** The chains, already loaded; default: from the environment's chain folders. */
  loaded?: LoadedChains;
  /** Lent to the chains' actions (pull requests, incident lookups), as the bot lends its own. */
  resources?: ChainResources;
}

/**
 * The environment without what would reach out of the test: GitHub (a token lends chains a real
 * pull-request host) and trace export. A test that needs a host lends one through `resources`.
 */
function hermetic(environment: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(environment).filter(([name]) => !name.startsWith("GITHUB_") && !name.startsWith("OTEL_")));
}

export async function openTestRuntime(options: TestRuntimeOptions): Promise<TestRuntime> {
  const folder = mkdtempSync(join(tmpdir(), "baton-test-"));
  const remove = (): void => rmSync(folder, { recursive: true, force: true });
  const model = new TestModel();
  const notifier = new RecordingNotifier();
  try {
    const config = parseConfig({ ...hermetic(options.environment), BATON_MODEL: SCRIPTED_MODEL, BATON_DB: join(folder, "baton.db") });
    const runtime = await createRuntime(config, {
      mode: "cli",
      notifier,
      logger: options.logger,
      llm: model,
      ...(options.loaded === undefined ? {} : { loaded: options.loaded }),
      ...(options.resources === undefined ? {} : { resources: options.resources }),
    });
    return {
      runtime,
      model,
      notifier,
      async close() {
        try {
          await runtime.close();
        } finally {
          remove();
        }
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
