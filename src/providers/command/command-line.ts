/**
 * A command of the command deployer as the user wrote it: a command line, or a list of
 * arguments. Without `shell` a line is split into arguments the way a shell would split plain
 * words and quotes, but nothing else a shell does is done; a line that needs a shell (pipes,
 * `&&`, redirections, `$VAR`) is an error that says so, instead of passing `&&` to the program
 * as an argument.
 */

/** One command, ready to start. */
export interface CommandLine {
  /** As the user wrote it, for logs and messages. */
  readonly text: string;
  /** Program and arguments (no shell), or the whole line as the only element (shell). */
  readonly argv: readonly [string, ...string[]];
  readonly shell: boolean;
}

/** Characters a line may only hold (unquoted) when it runs through the shell. */
const SHELL_SYNTAX = /[|&;<>()$`*?~{}\n]/;

/** Builds a command from a line or a list; throws an `Error` whose message says what is wrong. */
export function commandLine(given: string | readonly string[], shell: boolean): CommandLine {
  if (typeof given !== "string") {
    const [file, ...args] = given;
    if (!file?.trim()) throw new Error("expected a list whose first element names the program");
    if (shell) return { text: given.join(" "), argv: [given.map(shellQuote).join(" ")], shell: true };
    return { text: given.map(shellQuote).join(" "), argv: [file, ...args], shell: false };
  }
  const text = given.trim();
  if (!text) throw new Error("expected a command line");
  if (shell) return { text, argv: [text], shell: true };
  const words = splitWords(text);
  const [file, ...args] = words;
  if (!file) throw new Error("expected a command line");
  return { text, argv: [file, ...args], shell: false };
}

/** Splits plain words, 'single' and "double" quotes and backslash escapes; rejects other shell syntax. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (SHELL_SYNTAX.test(ch)) {
      throw new Error(`\`${ch}\` is shell syntax, and commands run without a shell: set \`deployer.shell: true\`, or quote it`);
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`a ${quote} quote is not closed`);
  if (inWord) words.push(word);
  return words;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
