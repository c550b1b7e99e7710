import type { Command } from "commander";
import { anyFailed } from "../doctor/check-result.js";
import { runDoctor } from "../doctor/run-doctor.js";
import { createLogger } from "../runtime/logger.js";
import type { CliContext } from "./program.js";
import { renderDoctorJson, renderDoctorReport } from "./render-doctor.js";

/** `baton doctor [--json] [--schemas]`: exit 1 on any ✗, 0 otherwise (warnings included). */
export function registerDoctorCommand(program: Command, context: CliContext): void {
  program
    .command("doctor")
    .description("Check the configuration, database, model server, Slack, GitHub and webhooks before trusting baton with an incident")
    .option("--json", "print one JSON document for machines")
    .option("--schemas", "also send every shipped LLM step's output schema to the model once and report each")
    .action(async (options: { json?: boolean; schemas?: boolean }) => {
      const level = context.environment["LOG_LEVEL"];
      // The checks report problems themselves; library logs would only repeat them.
      const logger = createLogger(level === "debug" || level === "trace" ? level : "silent");
      const results = await runDoctor(context.environment, { structuredCall: true, schemas: options.schemas === true, logger });
      context.io.write(options.json ? renderDoctorJson(results) : renderDoctorReport(results));
      if (anyFailed(results)) process.exitCode = 1;
    });
}
