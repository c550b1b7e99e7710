import type { Command } from "commander";
import { BatonError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../package-location.js";
import type { CliContext } from "./program.js";
import { addChain, displayPaths, initProject } from "./project-scaffold.js";

/** The chain a new project starts with, unless `--chain` names another. */
const FIRST_CHAIN = "first-chain";

/**
 * The project depends on the baton that created it, by path: baton is not published to a
 * package registry, and this way `npm install` in the project gets exactly the version that
 * wrote the scaffold. `--baton` takes a version range instead, for teams that publish it.
 */
function defaultBatonDependency(): string {
  return `file:${PACKAGE_ROOT.replace(/[\\/]+$/, "")}`;
}

export function registerInitCommands(program: Command, context: CliContext): void {
  program
    .command("init")
    .description("Create a project for your own chains (package.json, chains/<name>/, README) in a new or empty folder")
    .argument("[dir]", "the project folder", ".")
    .option("-c, --chain <name>", "the first chain's name", FIRST_CHAIN)
    .option("--baton <spec>", "the baton dependency in package.json (default: this baton, by path)")
    .action((folder: string, options: { chain: string; baton?: string }) => {
      const written = initProject(folder, { chainName: options.chain, batonDependency: options.baton ?? defaultBatonDependency() });
      const here = process.cwd();
      context.io.write(
        `Created a baton project in ${folder}:\n${displayPaths(written, here)
          .map((path) => `  ${path}`)
          .join("\n")}`,
      );
      const enter = folder === "." ? "" : `cd ${folder}\n  `;
      context.io.write(`\nNext:\n  ${enter}npm install\n  npm test\n  npm run try\n(README.md says what each does.)`);
    });

  program
    .command("new")
    .description("Add to the project in this folder: `baton new chain <name>`")
    .argument("<kind>", "what to add: chain")
    .argument("<name>", "its name (lower case, digits and hyphens)")
    .action((kind: string, name: string) => {
      if (kind !== "chain")
        throw new BatonError("COMMAND_INVALID", `baton new adds chains only: run \`baton new chain ${name}\` ("${kind}" is not something it adds).`, { kind });
      const here = process.cwd();
      const written = addChain(here, name);
      context.io.write(
        `Added chain ${name}:\n${displayPaths(written, here)
          .map((path) => `  ${path}`)
          .join("\n")}`,
      );
      context.io.write(`\nFill in examples.json with an answer per model step, then run \`npm test\` (or \`BATON_CHAINS_DIR=chains baton test ${name}\`).`);
    });
}
