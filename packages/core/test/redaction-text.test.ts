import { describe, expect, it } from 'vitest';
import { Redactor } from '../src/internal.js';

const redactor = new Redactor();
const redact = (text: string) => redactor.redactText(text);

describe('Redactor normalises text before detecting (NFKC, format characters, full-width digits)', () => {
  it.each([
    ['zero-width space inside an SSN', 'SSN 123-4\u200b5-6789 ok', 'SSN [REDACTED:ssn] ok'],
    ['soft hyphen inside an e-mail', 'mail ja\u00adne@example.org now', 'mail [REDACTED:email] now'],
    [
      'full-width digits',
      'SSN \uff11\uff12\uff13-\uff14\uff15-\uff16\uff17\uff18\uff19.',
      'SSN [REDACTED:ssn].',
    ],
    ['full-width e-mail', '\uff4a\uff41\uff4e\uff45\uff20example.org', '[REDACTED:email]'],
    ['word joiner inside a card', 'card 4111\u20601111 1111 1111 x', 'card [REDACTED:card] x'],
  ])('%s: the mask covers the original characters', (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('keeps clear text outside the mask exactly as written (no NFKC of the rest)', () => {
    expect(redact('ﬁle \uff21 mail jane@example.org')).toBe('ﬁle \uff21 mail [REDACTED:email]');
  });
});

describe('Redactor parses structured text: URLs, key=value, header lines, SQL literals', () => {
  it.each([
    [
      'token in a query',
      'GET https://api.example/v1?token=abc123secret&page=2',
      'GET https://api.example/v1?token=[REDACTED:token]&page=2',
    ],
    [
      'access_token and code',
      '/cb?code=Zq8xK2&state=ok&access_token=ya29.a0AfH6',
      '/cb?code=[REDACTED:code]&state=ok&access_token=[REDACTED:token]',
    ],
    [
      'api_key and sig',
      'u?api_key=K9x8&sig=f00ba4&v=1',
      'u?api_key=[REDACTED:apikey]&sig=[REDACTED:sig]&v=1',
    ],
    [
      'percent-encoded e-mail',
      'https://shop.example/find?q=carol.canary%40example.net',
      'https://shop.example/find?q=[REDACTED:email]',
    ],
    [
      'a token in a URL encoded inside a query value',
      '/login?redirect=https%3A%2F%2Fa.example%2Fcb%3Ftoken%3Dabc123secret%26x%3D1',
      '/login?redirect=https%3A%2F%2Fa.example%2Fcb%3Ftoken%3D[REDACTED:token]%26x%3D1',
    ],
    [
      'header lines and Authorization pairs nested in a query value',
      '?q=Authorization%3DToken%20abc123zz&r=line1%0AX-Custom-Auth%3A%20k3y99%0Aline3',
      '?q=Authorization%3D[REDACTED:authorization]&r=line1%0AX-Custom-Auth%3A%20[REDACTED:credential]%0Aline3',
    ],
    ['pass as a key', 'user: bob\npass: hunter2', 'user: bob\npass: [REDACTED:pass]'],
    [
      'percent-encoded e-mail under its key',
      '?email=carol.canary%40example.net&x=1',
      '?email=[REDACTED:email]&x=1',
    ],
    ['card with %20', '?pan_hint=4111%201111%201111%201111&a=b', '?pan_hint=[REDACTED:card]&a=b'],
    ['card with +', '?q=4111+1111+1111+1111', '?q=[REDACTED:card]'],
    [
      'password in userinfo',
      'postgres://app:Hunter2pw@db.internal:5432/x',
      'postgres://app:[REDACTED:password]@db.internal:5432/x',
    ],
    [
      'key=value in free text',
      'login failed user=7 password=hunter2 retry',
      'login failed user=7 password=[REDACTED:password] retry',
    ],
    [
      'header line',
      'Host: a\nX-Custom-Auth: 9f8e7d6c\nAccept: */*',
      'Host: a\nX-Custom-Auth: [REDACTED:credential]\nAccept: */*',
    ],
    ['SQL literal', "SELECT * FROM p WHERE ssn='909090909'", "SELECT * FROM p WHERE ssn='[REDACTED:ssn]'"],
    [
      'SQL literal with spaces',
      "UPDATE p SET last_name = 'Testperson' WHERE id = 4",
      "UPDATE p SET last_name = '[REDACTED:name]' WHERE id = 4",
    ],
    [
      'quoted JSON key in text',
      'body was {"pin":"4321","ok":true}',
      'body was {"pin":"[REDACTED:pin]","ok":true}',
    ],
  ])('%s', (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('keeps semantic-convention pairs and plain query values', () => {
    for (const text of [
      'service.name=checkout, server.address=db.internal',
      'https://example.org/search?q=weather&page=2&sort=asc',
      'url.scheme: https',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });
});

describe('Redactor detectors', () => {
  it.each([
    ['SSN with spaces near "ssn"', 'ssn 555 66 7777', 'ssn [REDACTED:ssn]'],
    ['9 digits after the word SSN', 'SSN was 666778888 today', 'SSN was [REDACTED:ssn] today'],
    [
      '9 digits near "social security"',
      'social security no. 555667777',
      'social security no. [REDACTED:ssn]',
    ],
    [
      '9-digit SSN in an error message',
      'Error: invalid ssn 909090909 for patient',
      'Error: invalid ssn [REDACTED:ssn] for patient',
    ],
    ['Unicode local part', 'to jöhn.dœ@example.org', 'to [REDACTED:email]'],
    ['IDN domain', 'write müller@bücher.de', 'write [REDACTED:email]'],
    ['punycode domain', 'write a.b@xn--bcher-kva.xn--p1ai', 'write [REDACTED:email]'],
    ['upper-case e-mail', 'JANE.ROE@EXAMPLE.ORG', '[REDACTED:email]'],
    ['mixed-case bearer', 'authorization: BeArEr abc.def-ghi_jkl', 'authorization: [REDACTED:authorization]'],
    [
      'Token scheme mid-line',
      'sent Authorization: Token 9a8b7c6d5e4f3a2b with it',
      'sent Authorization: [REDACTED:authorization]',
    ],
    ['card with dots', 'card 4111.1111.1111.1111 x', 'card [REDACTED:card] x'],
    ['lower-case IBAN', 'iban de89 3704 0044 0532 0130 00 ok', 'iban [REDACTED:iban] ok'],
    ['compact lower-case IBAN', 'to gb82west12345698765432.', 'to [REDACTED:iban].'],
    [
      'github_pat',
      'pat github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQ x',
      'pat [REDACTED:cloud_key] x',
    ],
    [
      'GitHub app token',
      'ghs_16C7e42F292c6912E7710c838347Ae178B4a end',
      '[REDACTED:cloud_key] end'.replace(/^/, ''),
    ],
    [
      'AWS secret access key in context',
      'aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ok',
      'aws_secret_access_key [REDACTED:cloud_key] ok',
    ],
    [
      'Slack webhook',
      'post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now',
      'post to [REDACTED:cloud_key] now',
    ],
    ['Slack bot token', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', '[REDACTED:cloud_key]'],
    ['Stripe secret key', 'k sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'k [REDACTED:cloud_key]'],
    ['Stripe restricted key', 'k rk_live_51H8abcdEFGHijklMNOP', 'k [REDACTED:cloud_key]'],
    ['Google API key', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW', '[REDACTED:cloud_key]'],
    [
      'Azure connection string',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4Zm9vYmFy==;EndpointSuffix=core',
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED:cloud_key];EndpointSuffix=core',
    ],
    ['npm token', 'npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 ok', '[REDACTED:cloud_key] ok'],
    ['OpenAI project key', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123', '[REDACTED:cloud_key]'],
    ['Anthropic key', 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx0123-xyz', '[REDACTED:cloud_key]'],
  ])('%s', (_name, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves look-alikes: 9 digits with no SSN context, versions, prices, UUIDs, base64, prose after "Token"', () => {
    for (const text of [
      'order 666778888 shipped',
      'v1.2.3.4567.8901.2345',
      'price 1.234.567,89 EUR',
      '123e4567-e89b-12d3-a456-426614174000',
      'aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=',
      'Token validation failed',
      'basic information here',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });
});

describe('Redactor keyed values under a pseudonym key', () => {
  it('gives one pseudonym for a value written plus-encoded, percent-encoded, in a header line and in JSON', () => {
    const keyed = new Redactor({ pseudonymKey: { id: 'k1', secret: 'a-test-secret-of-32-bytes-length!' } });
    const expected = keyed.pseudonym('Jane Roe', 'name');
    expect(expected).toMatch(/^hmac:k1:[0-9a-f]{64}$/);
    expect(keyed.redactText('?name=Jane+Roe&x=1')).toBe(`?name=${expected}&x=1`);
    expect(keyed.redactText('?name=Jane%20Roe')).toBe(`?name=${expected}`);
    expect(keyed.redactText('name: Jane Roe')).toBe(`name: ${expected}`);
    expect(keyed.redactValue({ name: 'Jane Roe' })).toEqual({ name: expected });
  });
});
