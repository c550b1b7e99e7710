import { userInfo } from "node:os";
import { CommanderError } from "commander";
import { describeError, isBatonError } from "../core/errors.js";
import { chosenEditor } from "./editor-choice.js";
import { buildProgram, readAllStdin } from "./program.js";
import { createTerminalIo } from "./terminal-io.js";

/**
 * The `baton` command's entry point: the only place, with `src/main.ts`, that reads the
 * environment. Errors end the process with a message saying what to do and a non-zero code.
 */
async function main(argv: ReadonlyArray<string>): Promise<void> {
  const io = createTerminalIo({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, editor: chosenEditor(process.env) });
  let username = "unknown";
  try {
    username = userInfo().username;
  } catch {
    // Containers without a passwd entry: keep "unknown".
  }
  // Under `npm run`, suggest commands the same way, since `baton` may not be on the PATH.
  const invocation = process.env["npm_lifecycle_event"] === undefined ? "baton" : "npm run baton --";
  const program = buildProgram({ io, environment: { ...process.env }, username, readStdin: readAllStdin, invocation });
  program.exitOverride();
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      process.exitCode = error.exitCode;
    } else if (isBatonError(error)) {
      io.writeError(`error [${error.code}]: ${error.message}`);
      process.exitCode = 1;
    } else {
      io.writeError(
        `baton crashed: ${error instanceof Error ? (error.stack ?? error.message) : describeError(error)}\nThis is a bug; please report it with the command you ran.`,
      );
      process.exitCode = 70;
    }
  } finally {
    io.close();
  }
}

await main(process.argv.slice(2));
