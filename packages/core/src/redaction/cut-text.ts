/**
 * The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair: half a pair is
 * a lone surrogate, which canonical JSON refuses (the record would lose its arguments and result).
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * `out`, the redaction of `window` (the start of a longer text, `max` characters and some context), without the
 * characters it copied as they are from `window` past `max`: a value running on past the window was not recognised
 * (`carol.canary@exam`), and masks before it may have shortened the text enough for the cut at `max` to keep it.
 * The text after the last mask is copied as written, so it is the common end of `out` and `window`.
 */
export function withoutContextTail(out: string, window: string, max: number): string {
  const context = window.length - max;
  let same = 0;
  while (
    same < context &&
    same < out.length &&
    out.charCodeAt(out.length - 1 - same) === window.charCodeAt(window.length - 1 - same)
  )
    same++;
  return same === 0 ? out : out.slice(0, out.length - same);
}
