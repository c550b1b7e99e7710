import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // docs/examples: the worked example's own test, shown in docs/chains.md.
    include: ["test/**/*.test.ts", "docs/examples/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start child processes and servers on loopback; keep the
    // machine's two cores from being oversubscribed.
    maxWorkers: 2,
  },
});
