/**
 * Credential formats of the major providers, one alternation (matched case-sensitively, as issued):
 * AWS access key ids (`AKIA…`/`ASIA…`), Google API keys (`AIza…`), OpenAI (`sk-…`, `sk-proj-…`) and Anthropic
 * (`sk-ant-…`) keys, GitHub tokens (`ghp_`, `gho_`, `ghs_`, `ghu_`, `ghr_`, `github_pat_`), Slack tokens
 * (`xoxb-`, `xoxp-`, … , `xapp-`) and webhook URLs, Stripe secret and restricted keys (`sk_live_`, `rk_test_`,
 * `whsec_`), npm tokens (`npm_`), GitLab PATs (`glpat-`), and the key of an Azure connection string
 * (`AccountKey=`, `SharedAccessKey=`, `SharedAccessSignature=`: the value only). A prefix may follow a `_`
 * (`GITHUB_TOKEN_ghp_…`), not a letter or a digit (`task-…` is no OpenAI key).
 */
export const SECRET_PATTERN =
  /(?<![A-Za-z0-9])(?:(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{36}|glpat-[A-Za-z0-9_-]{20,})|https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{8,}|(?<=(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[^;\s"'&]+/g;

const SECRET_PREFIX =
  /AKIA|ASIA|AIza|sk-|sk_|rk_|ghp_|gho_|ghs_|ghu_|ghr_|github_pat_|xox|xapp-|whsec_|npm_|glpat-|hooks\.slack|Key=|Signature=/;

/**
 * Cheap pre-check for `SECRET_PATTERN`: one of its fixed prefixes may be present. Every prefix holds a `_`, a
 * `-` after `sk`/`xox…`/`xapp`/`glpat`, an `=`, an upper-case `A` followed by `K`, `S` or `I`, or "hooks.slack";
 * those characters are rare in prose, so the alternation runs on few texts.
 */
export function mayHoldSecret(text: string): boolean {
  if (text.includes('_') || text.includes('=') || text.includes('hooks.slack'))
    return SECRET_PREFIX.test(text);
  for (let i = text.indexOf('-'); i >= 0; i = text.indexOf('-', i + 1)) {
    const before = text.charCodeAt(i - 1);
    if (
      before === 107 /* k */ ||
      before === 112 /* p */ ||
      before === 116 /* t */ ||
      text.startsWith('xox', i - 4)
    )
      return SECRET_PREFIX.test(text);
  }
  for (let i = text.indexOf('A'); i >= 0; i = text.indexOf('A', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 75 /* K */ || next === 83 /* S */ || next === 73 /* I */) return SECRET_PREFIX.test(text);
  }
  return false;
}

/** Whether `text` holds `eyJ` (a JWT's header): looks for the rare `J` rather than the common `e`. */
export function mayHoldJwt(text: string): boolean {
  for (let i = text.indexOf('J'); i >= 2; i = text.indexOf('J', i + 1)) {
    if (text.charCodeAt(i - 1) === 121 && text.charCodeAt(i - 2) === 101) return true;
  }
  return false;
}

/**
 * An AWS secret access key: 40 characters of `[A-Za-z0-9/+]` (a `/` may border it, as in a URL path) with a
 * digit and both cases, only when "aws" or "secret" is written within 64 characters before it (40 such
 * characters alone are as likely a hash).
 */
export const AWS_SECRET_PATTERN = /(?<![A-Za-z0-9+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9+=])/g;
/** The words that must come before an AWS secret access key. */
export const AWS_SECRET_CONTEXT = /aws|secret/i;

/** A digit, a lower-case and an upper-case letter: a random key, not a word run. */
export function isAwsSecretShaped(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

/** HTTP authentication schemes (IANA registry and common custom ones), for `Authorization: <scheme> <credential>`. */
export const AUTH_SCHEMES = new Set([
  'bearer',
  'basic',
  'token',
  'digest',
  'negotiate',
  'ntlm',
  'hoba',
  'mutual',
  'vapid',
  'dpop',
  'gnap',
  'privatetoken',
  'concealed',
  'apikey',
  'api-key',
  'sso-key',
  'otp',
  'aws4-hmac-sha256',
  'scram-sha-1',
  'scram-sha-256',
]);

/**
 * `Bearer <credential>` or `Basic <credential>` standing alone in any case, when the credential (8+ of
 * `[A-Za-z0-9._~+/=-]`) has a digit, a symbol or an inner capital, so that "basic information" stays. Other
 * schemes (`Token`, `Digest`, …) are ordinary words in prose and are caught after an `Authorization` key.
 */
export const BEARER_PATTERN = /\b(?:bearer|basic)\s+([A-Za-z0-9._~+/=-]{8,})/gi;

/** The credential after the scheme has a digit, a symbol or an inner capital. */
export function isCredentialShaped(match: string): boolean {
  const credential = match.replace(/^\S+\s+/, '');
  return /[0-9._~+/=-]/.test(credential) || /.[A-Z]/.test(credential);
}
