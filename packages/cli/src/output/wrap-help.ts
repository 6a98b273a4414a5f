/**
 * Help text width: `$COLUMNS` when set (as for `git` or `ls`), else the terminal's, else 100 (piped); kept
 * between 60 and 120 columns.
 */
export function helpWidth(
  stream: NodeJS.WriteStream = process.stdout,
  columnsEnv: string | undefined = process.env.COLUMNS,
): number {
  const fromEnv = Number(columnsEnv);
  const columns =
    Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : stream.isTTY ? stream.columns : undefined;
  return Math.max(60, Math.min(columns ?? 100, 120));
}

/** An option or list item: indented, one to three words (`--from, --to DATE`), two or more spaces, its text. */
const OPTION = /^(\s+\S+(?: \S+){0,2}\s{2,})\S/;
/** The head of a usage line: its continuation lines start under the first argument after it. */
const USAGE = /^usage: tooltrail (?:[a-z][\w|-]* )+/;
/** A line that ends a sentence or an item keeps its line break. */
const ENDS_ITEM = /[.:;)]$/;

/**
 * Re-flows help text to `width` columns without cutting a word. Line breaks are only added, never removed, except
 * where a source line was merely wrapped: a prose line or an option description continues on the next line when
 * it does not end a sentence or an item (`.`, `:`, `;`, `)`), and a usage line written on several lines is one.
 * An option's description continues under its description column, a usage line under its first argument.
 */
export function wrapHelp(text: string, width: number): string {
  const blocks: string[] = [];
  let column = -1;
  for (const line of text.split('\n')) {
    const previous = blocks[blocks.length - 1];
    const continuesUsage =
      previous?.startsWith('usage:') === true && /^\s+\S/.test(line) && !OPTION.test(line);
    const open = previous !== undefined && !ENDS_ITEM.test(previous);
    const continuesOption = open && column > 0 && line.length > column && line.slice(0, column).trim() === '';
    const continuesProse =
      open && column < 0 && /^\S/.test(line) && /^\S/.test(previous) && !previous.startsWith('usage:');
    if (continuesUsage || continuesOption || continuesProse) {
      blocks[blocks.length - 1] = `${previous} ${line.trim()}`;
      continue;
    }
    const option = OPTION.exec(line);
    // A line continuing an option that ends an item stays under the same description column.
    if (!option && column > 0 && line.slice(0, column).trim() === '' && line.length > column) {
      blocks.push(line);
      continue;
    }
    column = option ? (option[1] as string).length : -1;
    blocks.push(line);
  }
  return blocks.flatMap((block) => wrapLine(block, width)).join('\n');
}

function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const usage = USAGE.exec(line);
  const option = usage ? null : OPTION.exec(line);
  const head = usage ? usage[0] : option ? (option[1] as string) : (/^\s*/.exec(line)?.[0] ?? '');
  const indent = ' '.repeat(head.length);
  // A usage line keeps a bracketed group (`[--source SPEC]...`) and a flag with its value (`--subject S`) together.
  const body = line.slice(head.length);
  const tokens = usage
    ? (body.match(/\[[^\]]*\](?:\.\.\.)?|--\S+ (?![-[])\S+|\S+/g) ?? [])
    : body.trim().split(/\s+/);
  const lines: string[] = [];
  let current = head;
  let empty = true;
  for (const token of tokens) {
    if (!empty && current.length + 1 + token.length > width) {
      lines.push(current);
      current = indent + token;
    } else {
      current = empty ? current + token : `${current} ${token}`;
    }
    empty = false;
  }
  lines.push(current);
  return lines;
}
