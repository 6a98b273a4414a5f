/** Help text width: the terminal's, kept between 60 and 120 columns; 100 when not a terminal. */
export function helpWidth(stream: NodeJS.WriteStream = process.stdout): number {
  const columns = stream.isTTY ? stream.columns : undefined;
  return Math.max(60, Math.min(columns ?? 100, 120));
}

const OPTION = /^(\s+\S+(?: \S+)?\s{2,})\S/;

/**
 * Re-flows help text to `width` columns without cutting a word. A sentence that runs over several lines is one
 * paragraph, an option's description continues under its description column, and a usage line continues under
 * its first option; a line that ends a sentence (`.`, `:`, `)`) keeps its line break.
 */
export function wrapHelp(text: string, width: number): string {
  const blocks: string[] = [];
  let column = -1;
  for (const line of text.split('\n')) {
    const previous = blocks[blocks.length - 1];
    const continuesOption = column > 0 && line.length > column && line.slice(0, column).trim() === '';
    const continuesProse =
      previous !== undefined &&
      column < 0 &&
      /^[^\s]/.test(line) &&
      /^[^\s]/.test(previous) &&
      !previous.startsWith('usage:') &&
      !/[.:)]$/.test(previous);
    if (continuesOption || continuesProse) {
      blocks[blocks.length - 1] = `${previous} ${line.trim()}`;
      continue;
    }
    const option = OPTION.exec(line);
    column = option ? (option[1] as string).length : -1;
    blocks.push(line);
  }
  return blocks.flatMap((block) => wrapLine(block, width)).join('\n');
}

function wrapLine(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const usage = /^usage: tooltrail (?:report access |export fhir |\S+ )/.exec(line);
  const option = OPTION.exec(line);
  const head = usage ? usage[0] : option ? (option[1] as string) : (/^\s*/.exec(line)?.[0] ?? '');
  const indent = ' '.repeat(head.length);
  // A usage line keeps a bracketed group (`[--source SPEC]...`) together.
  const body = line.slice(head.length);
  const tokens = usage ? (body.match(/\[[^\]]*\](?:\.\.\.)?|\S+/g) ?? []) : body.trim().split(/\s+/);
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
