import { join } from "node:path";
import type { Chain } from "../../src/core/chain.js";
import { ChainRegistry } from "../../src/core/chain-registry.js";
import type { ChainStore, Logger, Notification, Notifier } from "../../src/core/ports.js";
import { DEFAULT_PRICES } from "../../src/core/pricing.js";
import { Runner, type RunnerOptions } from "../../src/core/runner.js";
import { GptTokenCounter } from "../../src/llm/gpt-token-counter.js";
import { OpenAiLlmClient } from "../../src/llm/openai-client.js";
import { TimeOrderedIds } from "../../src/system/ids.js";
import { systemClock } from "../../src/system/system-clock.js";
import { openSqliteStore } from "../../src/store/open-database.js";
import { startFakeOpenAiServer, type FakeOpenAiServer, type FakeOpenAiServerOptions } from "./fake-openai-server.js";
import { makeTempDirectory } from "./temp-directory.js";

/** A notifier that keeps what it was asked to send (a port fake, not a mock of our code). */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(notification: Notification): Promise<{ reference: string }> {
    this.sent.push(notification);
    return { reference: `recorded-${this.sent.length}` };
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface Harness {
  server: FakeOpenAiServer;
  store: ChainStore;
  runner: Runner;
  notifier: RecordingNotifier;
  databasePath: string;
  /** A second runner on its own connection to the same file, as another process would have. */
  openSecondRunner(): { runner: Runner; store: ChainStore };
  close(): Promise<void>;
}

/**
 * The real runner on a real SQLite file, talking through the real `openai` client to a fake
 * OpenAI-compatible server on loopback.
 */
export async function createHarness(
  chains: ReadonlyArray<Chain<unknown, never> | Chain>,
  overrides: Partial<RunnerOptions> = {},
  clientOptions: { maxRetries?: number } = {},
  serverOptions: FakeOpenAiServerOptions = {},
): Promise<Harness> {
  const directory = makeTempDirectory();
  const databasePath = join(directory.path, "baton.db");
  const server = await startFakeOpenAiServer(serverOptions);
  const notifier = new RecordingNotifier();
  const extra: Array<{ runner: Runner; store: ChainStore }> = [];
  const build = (owner: string): { runner: Runner; store: ChainStore } => {
    const store = openSqliteStore(databasePath);
    const runner = new Runner({
      store,
      llm: new OpenAiLlmClient({ apiKey: "test-key", baseURL: `${server.url}/v1`, maxRetries: clientOptions.maxRetries ?? 2 }),
      chains: new ChainRegistry(chains),
      notifier,
      clock: systemClock,
      ids: new TimeOrderedIds(),
      logger: silentLogger,
      owner,
      defaultModel: "gpt-4o-mini",
      prices: DEFAULT_PRICES,
      tokens: new GptTokenCounter(),
      ...overrides,
    });
    return { runner, store };
  };
  const main = build("test-owner-1");
  return {
    server,
    store: main.store,
    runner: main.runner,
    notifier,
    databasePath,
    openSecondRunner() {
      const second = build(`test-owner-${extra.length + 2}`);
      extra.push(second);
      return second;
    },
    async close() {
      for (const { runner, store } of [main, ...extra]) {
        await runner.close();
        store.close();
      }
      await server.close();
      directory.remove();
    },
  };
}
