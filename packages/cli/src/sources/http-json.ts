import { InputError } from '../usage-error.js';

/** GETs a JSON document; unreachable servers, timeouts and non-2xx answers become clear `InputError`s. */
export async function getJson(
  url: URL,
  what: string,
  options: { headers?: Record<string, string>; timeoutMillis?: number } = {},
): Promise<unknown> {
  // A user name and password in the source URL are HTTP Basic credentials: fetch refuses such a URL (and its error
  // quotes it, password included), so they go in a header and never into a message.
  const { target, authorization } = splitCredentials(url);
  let response: Response;
  try {
    response = await fetch(target, {
      headers: { accept: 'application/json', ...authorization, ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMillis ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new InputError(`cannot reach ${what} at ${url.origin}: ${reason}`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new InputError(
      `${what} answered ${response.status} ${response.statusText} for ${url.pathname}: ${text.slice(0, 300).trim()}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(
      `${what} answered ${url.pathname} with something that is not JSON: ${text.slice(0, 120)}`,
    );
  }
}

/** `url` without user name and password, and the `Authorization` header (HTTP Basic) they stand for. */
function splitCredentials(url: URL): { target: URL; authorization: Record<string, string> } {
  if (url.username === '' && url.password === '') return { target: url, authorization: {} };
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { target, authorization: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` } };
}

/** A source URL as it may be printed (messages, report labels): any `user:password@` part replaced. */
export function printableSource(spec: string): string {
  return spec.replace(/\/\/[^/?#\s]*@/, '//…@');
}

/** Splits [since, until] into consecutive windows no longer than `windowMillis` (servers cap a query's range). */
export function* timeWindows(
  since: number,
  until: number,
  windowMillis: number,
): Generator<[number, number]> {
  for (let start = since; start <= until; start += windowMillis) {
    yield [start, Math.min(until, start + windowMillis - 1)];
  }
}

/** `http://host:3100` from `loki+http://host:3100` (path and query kept). */
export function stripScheme(spec: string, prefix: string): URL {
  const rest = spec.slice(prefix.length);
  try {
    return new URL(rest);
  } catch {
    throw new InputError(
      `bad source URL ${JSON.stringify(printableSource(spec))}: expected ${prefix}http://host:port`,
    );
  }
}

/** A LogQL / TraceQL double-quoted string literal. */
export function quoted(value: string): string {
  return JSON.stringify(value);
}

/** Escapes a value for use inside a regular expression literal. */
export function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A fully anchored pattern for a subject in clear (`patient:P-1`, or a bare `P-1` of any kind) or as its keyed
 * pseudonym (`patient:hmac:…`, a bare one of any kind): records may hold either form.
 */
export function subjectEither(subject: string, pseudonym: string): string {
  const clear = subject.includes(':') ? regexEscape(subject) : `.*:${regexEscape(subject)}`;
  const keyed = pseudonym.startsWith('hmac:') ? `(?:.*:)?${regexEscape(pseudonym)}` : regexEscape(pseudonym);
  return `${clear}|${keyed}`;
}

/** A positive page size from the environment, else the default. */
export function envLimit(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new InputError(`${name}=${JSON.stringify(text)}: expected a positive integer`);
  return Number(text);
}
