import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** The terminal as the CLI sees it; tests drive the real CLI through stdin/stdout pipes. */
export interface TerminalIo {
  write(text: string): void;
  writeError(text: string): void;
  /** Ask for one line; `undefined` when input has ended. */
  ask(prompt: string): Promise<string | undefined>;
  /** Whether a person (a TTY) is at the keyboard, so an editor can be opened. */
  interactive: boolean;
  /** `$VISUAL` or `$EDITOR`, read by the entry point. */
  editor: string | undefined;
  close(): void;
}

export function createTerminalIo(options: {
  stdin: Readable & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  editor: string | undefined;
}): TerminalIo {
  let lines: AsyncIterator<string> | undefined;
  let readline: ReturnType<typeof createInterface> | undefined;
  const nextLine = async (): Promise<string | undefined> => {
    if (!readline) {
      // Created on first use: an open readline would keep a non-interactive process alive.
      readline = createInterface({ input: options.stdin, terminal: false });
      lines = readline[Symbol.asyncIterator]();
    }
    const result = await (lines as AsyncIterator<string>).next();
    return result.done ? undefined : result.value;
  };
  return {
    write: (text) => options.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    writeError: (text) => options.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    async ask(prompt) {
      options.stdout.write(prompt);
      const answer = await nextLine();
      if (!options.stdin.isTTY) options.stdout.write(`${answer ?? ""}\n`);
      return answer;
    },
    interactive: options.stdin.isTTY === true,
    editor: options.editor,
    close: () => readline?.close(),
  };
}
