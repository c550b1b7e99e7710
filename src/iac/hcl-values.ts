/**
 * Enough of HCL's native syntax to read what a diff shows of a resource block: attributes
 * (`key = value`), nested blocks (`ingress { … }`, each kept as one object in a list), and the
 * literal values rules read — strings, numbers, booleans, null, lists, objects, heredocs, and
 * `jsonencode(…)`, which is read as the value it encodes (so a policy written in HCL reads like
 * the JSON a plan shows). Anything else (a reference, another function call, an operator) is
 * kept as its source text, which the rules treat as "not a literal".
 */

class Reader {
  index = 0;
  constructor(readonly text: string) {}

  peek(): string {
    return this.text[this.index] ?? "";
  }

  /** Skip spaces and comments; newlines too unless `keepNewlines` (they separate object entries and body items). */
  skip(keepNewlines = false): void {
    for (;;) {
      const character = this.peek();
      if (character === " " || character === "\t" || character === "\r" || (!keepNewlines && character === "\n")) this.index += 1;
      else if (character === "#" || (character === "/" && this.text[this.index + 1] === "/")) {
        while (this.index < this.text.length && this.peek() !== "\n") this.index += 1;
      } else if (character === "/" && this.text[this.index + 1] === "*") {
        const end = this.text.indexOf("*/", this.index + 2);
        this.index = end < 0 ? this.text.length : end + 2;
      } else return;
    }
  }

  atEnd(): boolean {
    return this.index >= this.text.length;
  }
}

const IDENTIFIER = /^[A-Za-z_][\w-]*/;

function readString(reader: Reader): string {
  // Opening quote already at reader.index.
  reader.index += 1;
  let value = "";
  while (!reader.atEnd()) {
    const character = reader.peek();
    if (character === "\\") {
      const next = reader.text[reader.index + 1] ?? "";
      value += next === "n" ? "\n" : next === "t" ? "\t" : next;
      reader.index += 2;
      continue;
    }
    if ((character === "$" || character === "%") && reader.text[reader.index + 1] === "{") {
      // A template interpolation: kept verbatim, braces counted.
      let depth = 0;
      do {
        const inner = reader.peek();
        if (inner === "{") depth += 1;
        if (inner === "}") depth -= 1;
        value += inner;
        reader.index += 1;
      } while (depth > 0 && !reader.atEnd());
      continue;
    }
    reader.index += 1;
    if (character === '"') return value;
    value += character;
  }
  return value;
}

function readHeredoc(reader: Reader): string {
  const match = /^<<-?([A-Za-z_]\w*)[ \t]*\r?\n/.exec(reader.text.slice(reader.index));
  if (!match) throw new SyntaxError("heredoc");
  reader.index += match[0].length;
  const lines: string[] = [];
  while (!reader.atEnd()) {
    const end = reader.text.indexOf("\n", reader.index);
    const line = reader.text.slice(reader.index, end < 0 ? reader.text.length : end);
    reader.index = end < 0 ? reader.text.length : end + 1;
    if (line.trim() === match[1]) return lines.join("\n");
    lines.push(line);
  }
  return lines.join("\n");
}

/** Skip to the end of the current expression (a `,`, newline or closer at depth 0): for what this reader does not evaluate. */
function skipExpression(reader: Reader, start: number): string {
  let depth = 0;
  while (!reader.atEnd()) {
    const character = reader.peek();
    if (character === '"') {
      readString(reader);
      continue;
    }
    if (depth === 0 && (character === "," || character === "\n" || character === "}" || character === "]" || character === ")")) break;
    if (character === "{" || character === "[" || character === "(") depth += 1;
    if (character === "}" || character === "]" || character === ")") depth -= 1;
    reader.index += 1;
  }
  return reader.text.slice(start, reader.index).trim();
}

function readValue(reader: Reader): unknown {
  reader.skip();
  const start = reader.index;
  const character = reader.peek();
  let value: unknown;
  if (character === '"') value = readString(reader);
  // A heredoc ends with its terminator line: nothing can follow it on that line.
  else if (character === "<" && reader.text[reader.index + 1] === "<") return readHeredoc(reader);
  else if (character === "[") value = readList(reader);
  else if (character === "{") value = readObject(reader);
  else {
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(reader.text.slice(reader.index));
    const word = IDENTIFIER.exec(reader.text.slice(reader.index));
    if (number) {
      reader.index += number[0].length;
      value = Number(number[0]);
    } else if (word && (word[0] === "true" || word[0] === "false" || word[0] === "null")) {
      reader.index += word[0].length;
      value = word[0] === "true" ? true : word[0] === "false" ? false : null;
    } else if (word && reader.text[reader.index + word[0].length] === "(" && word[0] === "jsonencode") {
      reader.index += word[0].length + 1;
      value = readValue(reader);
      reader.skip();
      if (reader.peek() !== ")") return skipExpression(reader, start);
      reader.index += 1;
    } else return skipExpression(reader, start);
  }
  // A literal followed by an operator (`"a" == var.b ? … : …`) is an expression, not that literal.
  reader.skip(true);
  const next = reader.peek();
  if (next !== "" && next !== "," && next !== "\n" && next !== "}" && next !== "]" && next !== ")") return skipExpression(reader, start);
  return value;
}

function readList(reader: Reader): unknown[] {
  reader.index += 1;
  const items: unknown[] = [];
  for (;;) {
    reader.skip();
    if (reader.atEnd()) return items;
    if (reader.peek() === "]") {
      reader.index += 1;
      return items;
    }
    items.push(readValue(reader));
    reader.skip();
    if (reader.peek() === ",") reader.index += 1;
  }
}

function readKey(reader: Reader): string | undefined {
  reader.skip();
  if (reader.peek() === '"') return readString(reader);
  if (reader.peek() === "(") {
    const start = reader.index;
    skipExpression(reader, start);
    reader.index += 1;
    return reader.text.slice(start, reader.index);
  }
  const word = /^[\w\-.:/]+/.exec(reader.text.slice(reader.index));
  if (!word) return undefined;
  reader.index += word[0].length;
  return word[0];
}

function readObject(reader: Reader): Record<string, unknown> {
  reader.index += 1;
  const entries: Record<string, unknown> = {};
  for (;;) {
    reader.skip();
    if (reader.atEnd()) return entries;
    if (reader.peek() === "}") {
      reader.index += 1;
      return entries;
    }
    const key = readKey(reader);
    reader.skip();
    if (key === undefined || (reader.peek() !== "=" && reader.peek() !== ":")) {
      skipExpression(reader, reader.index);
      if (reader.peek() === "," || reader.peek() === "\n") reader.index += 1;
      else if (reader.peek() !== "}") reader.index += 1;
      continue;
    }
    reader.index += 1;
    entries[key] = readValue(reader);
    reader.skip(true);
    if (reader.peek() === "," || reader.peek() === "\n") reader.index += 1;
  }
}

/** One HCL expression's value (see the file's comment for what is read and what is kept as text). */
export function parseHclValue(source: string): unknown {
  const reader = new Reader(source.trim());
  const value = readValue(reader);
  reader.skip();
  return reader.atEnd() ? value : source.trim();
}

/**
 * A block body: `key = value` attributes, and nested blocks, each nested block appended to a
 * list under its type (`ingress`), as Terraform's JSON plan shows them. Unreadable lines are
 * skipped, not fatal: a diff may cut a body anywhere.
 */
export function parseHclBody(source: string): Record<string, unknown> {
  const reader = new Reader(source);
  const body: Record<string, unknown> = {};
  for (;;) {
    reader.skip();
    if (reader.atEnd()) return body;
    const word = IDENTIFIER.exec(reader.text.slice(reader.index));
    if (!word) {
      const end = reader.text.indexOf("\n", reader.index);
      reader.index = end < 0 ? reader.text.length : end + 1;
      continue;
    }
    reader.index += word[0].length;
    reader.skip(true);
    if (reader.peek() === "=" && reader.text[reader.index + 1] !== "=") {
      reader.index += 1;
      body[word[0]] = readValue(reader);
      continue;
    }
    // A nested block, with optional labels: `dynamic "ingress" {`, `lifecycle {`.
    while (reader.peek() === '"') {
      readString(reader);
      reader.skip(true);
    }
    if (reader.peek() !== "{") continue;
    const start = reader.index;
    let depth = 0;
    while (!reader.atEnd()) {
      const character = reader.peek();
      if (character === '"') {
        readString(reader);
        continue;
      }
      if (character === "{") depth += 1;
      if (character === "}") depth -= 1;
      reader.index += 1;
      if (depth === 0) break;
    }
    const inner = parseHclBody(reader.text.slice(start + 1, reader.index - 1));
    const existing = body[word[0]];
    body[word[0]] = [...(Array.isArray(existing) ? existing : []), inner];
  }
}

/** Net `{`/`[`/`(` minus closers on a line, outside strings: how a multi-line value or block continues. */
export function bracketBalance(line: string): number {
  let balance = 0;
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index] ?? "";
    if (character === "\\" && quoted) {
      index += 1;
      continue;
    }
    if (character === '"') quoted = !quoted;
    if (quoted) continue;
    if (character === "#" || (character === "/" && line[index + 1] === "/")) break;
    if (character === "{" || character === "[" || character === "(") balance += 1;
    if (character === "}" || character === "]" || character === ")") balance -= 1;
  }
  return balance;
}
