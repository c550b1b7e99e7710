import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import { type BatonError, isBatonError } from "../../src/core/errors.js";
import { defaultDatabasePath } from "../../src/package-location.js";
import { REPO_ROOT } from "../support/cli-process.js";
import { makeTempDirectory } from "../support/temp-directory.js";

function configError(environment: Record<string, string>): BatonError {
  try {
    parseConfig(environment);
  } catch (error) {
    if (isBatonError(error, "CONFIG_INVALID")) return error;
    throw error;
  }
  throw new Error("expected CONFIG_INVALID");
}

// In a clone of baton, data/baton.db inside it, wherever the command runs; in a copy without git
// (.ci/node-version-check tests a `git archive`), the user's data folder.
const DEFAULT_DATABASE = existsSync(join(REPO_ROOT, ".git")) ? join(REPO_ROOT, "data", "baton.db") : join(homedir(), ".local", "share", "baton", "baton.db");

describe("configuration from the environment", () => {
  it("has working defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      model: "gpt-4o-mini",
      fallbackModels: [],
      database: { kind: "sqlite", path: DEFAULT_DATABASE },
      databaseSource: "default",
      leaseMs: 12_000,
      responseFormat: "json_schema",
      modelConcurrency: 8,
    });
    expect(config).toMatchObject({ shippedChainsDirectory: join(REPO_ROOT, "chains"), chainDirectories: [] });
    expect(config.openAiApiKey).toBeUndefined();
  });

  it("reads every documented variable", () => {
    const config = parseConfig({
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: "http://localhost:11434/v1",
      BATON_MODEL: "llama3.1",
      BATON_FALLBACK_MODELS: " gpt-4o-mini , gpt-4o ,",
      BATON_DB: "/var/lib/baton/baton.db",
      LOG_LEVEL: "debug",
      BATON_RESPONSE_FORMAT: "json_object",
      BATON_MODEL_CONCURRENCY: "3",
    });
    expect(config).toMatchObject({
      openAiApiKey: "sk-test",
      openAiBaseUrl: "http://localhost:11434/v1",
      model: "llama3.1",
      fallbackModels: ["gpt-4o-mini", "gpt-4o"],
      database: { kind: "sqlite", path: "/var/lib/baton/baton.db" },
      databaseSource: "BATON_DB",
      logLevel: "debug",
      responseFormat: "json_object",
      modelConcurrency: 3,
    });
  });

  it("Azure OpenAI by the variables the openai package's Azure client reads; a half-set one names what is missing", () => {
    const config = parseConfig({
      AZURE_OPENAI_ENDPOINT: "https://my-resource.openai.azure.com",
      AZURE_OPENAI_API_KEY: "k",
      OPENAI_API_VERSION: "2024-10-21",
      BATON_MODEL: "gpt4o-prod",
    });
    expect(config.azure).toEqual({ endpoint: "https://my-resource.openai.azure.com", apiKey: "k", apiVersion: "2024-10-21" });
    expect(config.model).toBe("gpt4o-prod");

    const missing = configError({ AZURE_OPENAI_ENDPOINT: "https://my-resource.openai.azure.com", AZURE_OPENAI_API_KEY: "k" });
    expect(missing.message).toMatch(/OPENAI_API_VERSION is not.*2024-10-21.*deployment/s);
    expect(
      configError({
        AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com",
        AZURE_OPENAI_API_KEY: "k",
        OPENAI_API_VERSION: "v",
        OPENAI_BASE_URL: "http://localhost:11434/v1",
      }).message,
    ).toMatch(/both set.*Unset OPENAI_BASE_URL/);
    expect(configError({ BATON_RESPONSE_FORMAT: "yaml" }).message).toMatch(/json_schema, json_object or prompt_only/);
    expect(parseConfig({ BATON_RESPONSE_FORMAT: "prompt_only" }).responseFormat).toBe("prompt_only");
  });

  it("treats empty variables as unset", () => {
    expect(parseConfig({ OPENAI_API_KEY: "", BATON_DB: " ", BATON_CHAINS_DIR: "" })).toMatchObject({
      openAiApiKey: undefined,
      database: { kind: "sqlite", path: DEFAULT_DATABASE },
      chainDirectories: [],
    });
  });

  it.each([
    ["OPENAI_BASE_URL", "localhost:11434"],
    ["LOG_LEVEL", "verbose"],
    ["BATON_RESPONSE_FORMAT", "xml"],
    ["BATON_MODEL_CONCURRENCY", "0"],
    ["BATON_MODEL_MAX_RETRIES", "many"],
  ])("names %s when it is invalid", (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error.message.startsWith(`${variable} is invalid`)).toBe(true);
    expect(error.details["variable"]).toBe(variable);
  });

  it("merges a price file over the defaults, and explains a bad one", () => {
    const directory = makeTempDirectory();
    try {
      const good = join(directory.path, "prices.json");
      writeFileSync(good, JSON.stringify({ "llama3.1": { inputPerMillion: 0, outputPerMillion: 0 }, "gpt-4o": { inputPerMillion: 2, outputPerMillion: 8 } }));
      const prices = parseConfig({ BATON_PRICES: good }).prices;
      expect(prices["llama3.1"]).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
      expect(prices["gpt-4o"]).toEqual({ inputPerMillion: 2, outputPerMillion: 8 });
      expect(prices["gpt-4o-mini"]).toBeDefined();

      const bad = join(directory.path, "bad.json");
      writeFileSync(bad, JSON.stringify({ "gpt-4o": { inputPerMillion: "two" } }));
      expect(configError({ BATON_PRICES: bad }).message).toContain("gpt-4o.inputPerMillion");
      expect(configError({ BATON_PRICES: join(directory.path, "missing.json") }).message).toContain("BATON_PRICES");
    } finally {
      directory.remove();
    }
  });

  it("reads BATON_CHAINS_DIR as folders separated like PATH, resolved from where baton runs, beside the shipped chains", () => {
    const config = parseConfig({ BATON_CHAINS_DIR: ["/srv/chains", "", " team-chains "].join(delimiter) });
    expect(config.chainDirectories).toEqual(["/srv/chains", resolve("team-chains")]);
    expect(config.shippedChainsDirectory).toBe(join(REPO_ROOT, "chains"));
  });

  it("puts the default database in the user's data folder when baton is not a clone, never in the working directory", () => {
    const installed = makeTempDirectory("baton-installed-");
    try {
      const packageRoot = join(installed.path, "lib", "node_modules", "baton");
      mkdirSync(packageRoot, { recursive: true });
      expect(defaultDatabasePath({ HOME: "/home/ada" }, packageRoot)).toBe("/home/ada/.local/share/baton/baton.db");
      expect(defaultDatabasePath({ HOME: "/home/ada", XDG_DATA_HOME: "/data/ada" }, packageRoot)).toBe("/data/ada/baton/baton.db");
      // The XDG rules: a relative XDG_DATA_HOME is ignored.
      expect(defaultDatabasePath({ HOME: "/home/ada", XDG_DATA_HOME: "data" }, packageRoot)).toBe("/home/ada/.local/share/baton/baton.db");
      mkdirSync(join(packageRoot, ".git"));
      expect(defaultDatabasePath({ HOME: "/home/ada" }, packageRoot)).toBe(join(packageRoot, "data", "baton.db"));
    } finally {
      installed.remove();
    }
  });
});

describe("choosing the database: BATON_DB, DATABASE_URL, or the default file", () => {
  it.each(["postgres://baton:s3cret-pw@db.internal:5432/baton", "postgresql://baton:s3cret-pw@db.internal/baton?sslmode=require"])(
    "BATON_DB=%s selects PostgreSQL, shown without its password or parameters",
    (url) => {
      const config = parseConfig({ BATON_DB: url });
      expect(config.database).toMatchObject({ kind: "postgres", url });
      expect(config.databaseSource).toBe("BATON_DB");
      const shown = config.database.kind === "postgres" ? config.database.shown : "";
      expect(shown).toContain("baton@db.internal");
      expect(shown).not.toContain("s3cret-pw");
      expect(shown).not.toContain("sslmode");
    },
  );

  it("DATABASE_URL selects PostgreSQL when BATON_DB is unset; BATON_DB wins over it", () => {
    const url = "postgres://app@db.internal/baton";
    expect(parseConfig({ DATABASE_URL: url })).toMatchObject({ database: { kind: "postgres", url }, databaseSource: "DATABASE_URL" });
    expect(parseConfig({ DATABASE_URL: url, BATON_DB: "/srv/baton.db" })).toMatchObject({
      database: { kind: "sqlite", path: "/srv/baton.db" },
      databaseSource: "BATON_DB",
    });
  });

  it("a DATABASE_URL that is not PostgreSQL is refused, not ignored, and says how to choose", () => {
    const error = configError({ DATABASE_URL: "mysql://root:hunter2@db/app" });
    expect(error.details).toEqual({ variable: "DATABASE_URL" });
    expect(error.message).toMatch(/not a PostgreSQL connection string.*Set BATON_DB/);
    expect(error.message).not.toContain("hunter2");
  });

  it("a postgres:// value that is not a URL says how to write one", () => {
    const error = configError({ BATON_DB: "postgres://baton:p@ss word@host:notaport/db" });
    expect(error.details).toEqual({ variable: "BATON_DB" });
    expect(error.message).toMatch(/not a valid URL.*postgres:\/\/user:password@host:5432\/database/);
    expect(error.message).not.toContain("ss word");
  });

  it("BATON_LEASE_SECONDS sets how long a claim on a run lasts; nonsense is refused", () => {
    expect(parseConfig({ BATON_LEASE_SECONDS: "30" }).leaseMs).toBe(30_000);
    expect(configError({ BATON_LEASE_SECONDS: "1" }).details).toEqual({ variable: "BATON_LEASE_SECONDS" });
    expect(configError({ BATON_LEASE_SECONDS: "soon" }).message).toMatch(/BATON_LEASE_SECONDS is invalid: must be a whole number of seconds/);
  });

  it("BATON_DB_POOL_SIZE sizes each process's PostgreSQL pool: 10 unset, any whole number from 2 to 100", () => {
    const url = "postgres://baton@db.internal/baton";
    expect(parseConfig({ BATON_DB: url }).database).toMatchObject({ kind: "postgres", poolSize: 10 });
    expect(parseConfig({ BATON_DB: url, BATON_DB_POOL_SIZE: "" }).database).toMatchObject({ poolSize: 10 });
    expect(parseConfig({ DATABASE_URL: url, BATON_DB_POOL_SIZE: "2" }).database).toMatchObject({ poolSize: 2 });
    expect(parseConfig({ BATON_DB: url, BATON_DB_POOL_SIZE: " 100 " }).database).toMatchObject({ poolSize: 100 });
  });

  it.each(["0", "1", "101", "ten", "3.5", "-4", "1e1"])("BATON_DB_POOL_SIZE=%s is refused with the allowed range and what was given", (given) => {
    const error = configError({ BATON_DB: "postgres://baton@db.internal/baton", BATON_DB_POOL_SIZE: given });
    expect(error.details).toEqual({ variable: "BATON_DB_POOL_SIZE", given });
    expect(error.message).toBe(
      `BATON_DB_POOL_SIZE is "${given}", but it must be a whole number from 2 to 100 (PostgreSQL connections per baton process). ` +
        "Set it to a whole number in that range, or unset it for the default of 10.",
    );
  });

  it("a bad BATON_DB_POOL_SIZE is refused on SQLite too, before the move to PostgreSQL finds it", () => {
    expect(configError({ BATON_DB: "/srv/baton.db", BATON_DB_POOL_SIZE: "0" }).details).toEqual({ variable: "BATON_DB_POOL_SIZE", given: "0" });
    expect(parseConfig({ BATON_DB: "/srv/baton.db", BATON_DB_POOL_SIZE: "4" }).database).toEqual({ kind: "sqlite", path: "/srv/baton.db" });
  });

  it("a path that merely mentions postgres is still a SQLite file", () => {
    expect(parseConfig({ BATON_DB: "/var/lib/postgres-backups/baton.db" }).database).toEqual({ kind: "sqlite", path: "/var/lib/postgres-backups/baton.db" });
  });
});
