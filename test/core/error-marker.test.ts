import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { BatonError, isBatonError } from "../../src/core/errors.js";
import { REPO_ROOT } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** Two bundles each carry their own BatonError class, as a chain compiled apart from baton would. */

interface ErrorsModule {
  BatonError: typeof BatonError;
  isBatonError: typeof isBatonError;
}

async function bundledCopy(directory: string, name: string): Promise<ErrorsModule> {
  const outfile = join(directory, `${name}.mjs`);
  await build({ entryPoints: [join(REPO_ROOT, "src", "core", "errors.ts")], bundle: true, format: "esm", platform: "node", outfile, logLevel: "silent" });
  return (await import(pathToFileURL(outfile).href)) as ErrorsModule;
}

describe("BatonError across bundles", () => {
  const directory = makeTempDirectory("baton-errors-");
  afterAll(() => directory.remove());

  it("is recognised by its marker, not by class identity, in both directions", async () => {
    const other = await bundledCopy(directory.path, "other");
    const foreign = new other.BatonError("CHAIN_INVALID", "from another bundle", { chainId: "x" });
    expect(foreign instanceof BatonError).toBe(false);
    expect(isBatonError(foreign)).toBe(true);
    expect(isBatonError(foreign, "CHAIN_INVALID")).toBe(true);
    expect(isBatonError(foreign, "INPUT_INVALID")).toBe(false);
    expect(other.isBatonError(new BatonError("RUN_NOT_FOUND", "ours"), "RUN_NOT_FOUND")).toBe(true);
  });

  it("is not fooled by a plain error with a code, or by a thrown non-error", () => {
    expect(isBatonError(Object.assign(new Error("x"), { code: "CHAIN_INVALID" }))).toBe(false);
    expect(isBatonError({ code: "CHAIN_INVALID", message: "x" })).toBe(false);
    expect(isBatonError("CHAIN_INVALID")).toBe(false);
  });
});
