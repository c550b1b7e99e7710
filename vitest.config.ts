import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start child processes and servers on loopback; keep the
    // machine's two cores from being oversubscribed.
    maxWorkers: 2,
  },
});
