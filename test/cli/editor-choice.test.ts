import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chosenEditor } from "../../src/cli/editor-choice.js";
import { makeTempDirectory } from "../support/temp-directory.js";

/** The environment a script gets from the real npm, with `environment` as the user's. */
function environmentUnderNpm(environment: Record<string, string>): Record<string, string | undefined> {
  const project = makeTempDirectory("baton-npm-env-");
  try {
    const script = `node -e "process.stdout.write(JSON.stringify(process.env))"`;
    writeFileSync(join(project.path, "package.json"), JSON.stringify({ name: "npm-env", version: "1.0.0", private: true, scripts: { demo: script } }));
    const output = execFileSync("npm", ["run", "--silent", "demo"], {
      cwd: project.path,
      env: { PATH: process.env["PATH"] ?? "", HOME: project.path, ...environment },
      encoding: "utf8",
    });
    return JSON.parse(output) as Record<string, string | undefined>;
  } finally {
    project.remove();
  }
}

/** `npm run demo` → `e`: the README's paste-and-dot path, not the vi npm puts in EDITOR. */
describe("the editor for an approval's edit", () => {
  it("under the real npm: no editor when the user set none, theirs when they did", () => {
    const unset = environmentUnderNpm({});
    expect(unset["EDITOR"]).toBe("vi");
    expect(chosenEditor(unset)).toBeUndefined();
    expect(chosenEditor(environmentUnderNpm({ EDITOR: "nano" }))).toBe("nano");
    expect(chosenEditor(environmentUnderNpm({ VISUAL: "emacs" }))).toBe("emacs");
  });

  it("ignores the EDITOR=vi that npm sets for scripts when the user chose none", () => {
    // What `npm run demo` gives the process when neither VISUAL nor EDITOR was set (npm 10 and 11).
    expect(chosenEditor({ EDITOR: "vi", npm_lifecycle_event: "demo" })).toBeUndefined();
  });

  it("keeps an editor the user chose, under npm or not", () => {
    expect(chosenEditor({ EDITOR: "nano", npm_lifecycle_event: "demo" })).toBe("nano");
    expect(chosenEditor({ VISUAL: "code --wait", EDITOR: "code --wait", npm_lifecycle_event: "demo" })).toBe("code --wait");
    expect(chosenEditor({ VISUAL: "vi", EDITOR: "vi", npm_lifecycle_event: "demo" })).toBe("vi");
    expect(chosenEditor({ EDITOR: "vi" })).toBe("vi");
    expect(chosenEditor({ VISUAL: "emacs", EDITOR: "nano" })).toBe("emacs");
  });

  it("pastes inline when no editor is set, or an empty one", () => {
    expect(chosenEditor({})).toBeUndefined();
    expect(chosenEditor({ EDITOR: " ", VISUAL: "" })).toBeUndefined();
  });
});
