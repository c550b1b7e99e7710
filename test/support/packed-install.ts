import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./cli-process.js";

const run = promisify(execFile);

/** `npm pack` of this repository into `workFolder`; returns the tarball's path. */
export async function packBaton(workFolder: string): Promise<string> {
  const packed = await run("npm", ["pack", REPO_ROOT, "--json", "--pack-destination", workFolder], { cwd: workFolder, encoding: "utf8" });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  return join(workFolder, filename);
}

// --prefer-offline: the tarballs come from the cache `npm ci` filled. Not --offline: an installed
// package's dependencies are resolved afresh (a lockfile applies only to its own project), so
// npm may ask the registry for package metadata, or for a version the lockfile did not pick.
// --ignore-scripts: better-sqlite3's install script would rebuild it from source (a minute or
// more on CI's two cores); its addon, built by `npm ci` for this very Node, is copied in
// instead. Everything else is the real install: the tarball's files, the dependencies npm
// resolves for it, and the links in bin/.
const INSTALL_FLAGS = ["--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"];
const ADDON = join("node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node");

/** The better-sqlite3 addon this Node already has, into the install whose node_modules is under `root`. */
function copyAddon(root: string): void {
  mkdirSync(join(root, dirname(ADDON)), { recursive: true });
  copyFileSync(join(REPO_ROOT, ADDON), join(root, ADDON));
}

/** A global install: the installed package's folder, and what npm printed while installing it. */
export interface PackedInstall {
  /** Its `baton` command is `<prefix>/bin/baton`. */
  folder: string;
  npmOutput: string;
}

/**
 * baton as a user gets it: `npm pack` of this repository (or `tarball`, packed already),
 * installed globally into `prefix`.
 */
export async function installPackedBaton(workFolder: string, prefix: string, tarball?: string): Promise<PackedInstall> {
  mkdirSync(prefix, { recursive: true });
  const packed = tarball ?? (await packBaton(workFolder));
  const { stdout, stderr } = await run("npm", ["install", "--global", "--prefix", prefix, ...INSTALL_FLAGS, packed], { cwd: workFolder, encoding: "utf8" });
  const folder = join(prefix, "lib", "node_modules", "baton");
  copyAddon(folder);
  return { folder, npmOutput: `${stdout}${stderr}` };
}

/**
 * `npm install` in a project (its package.json's dependencies and dev dependencies), with baton
 * from `tarball` as its "baton" dependency, as a team installs a baton it packed itself.
 * Returns what npm printed.
 */
export async function installIntoProject(project: string, tarball: string): Promise<string> {
  const { stdout, stderr } = await run("npm", ["install", ...INSTALL_FLAGS, tarball], { cwd: project, encoding: "utf8" });
  copyAddon(project);
  return `${stdout}${stderr}`;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the installed `baton` in `folder` with only `environment` (and a PATH) set. */
export async function runInstalledBaton(
  prefix: string,
  folder: string,
  args: ReadonlyArray<string>,
  environment: Record<string, string>,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(join(prefix, "bin", "baton"), [...args], {
      cwd: folder,
      env: { PATH: `${join(prefix, "bin")}:${process.env["PATH"] ?? ""}`, ...environment },
      encoding: "utf8",
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
