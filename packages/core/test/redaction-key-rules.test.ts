import { describe, expect, it } from 'vitest';
import { Redactor } from '../src/internal.js';

const redactor = new Redactor();

describe('Redactor key rules (containment, prefix and suffix semantics)', () => {
  it.each([
    ['password2', 'password'],
    ['newPassword', 'password'],
    ['secretKey', 'secret'],
    ['client_secret', 'secret'],
    ['refresh_token_value', 'token'],
    ['pwd', 'pwd'],
    ['db_pwd', 'pwd'],
    ['pin', 'pin'],
    ['card_pin', 'pin'],
    ['name', 'name'],
    ['first_name', 'name'],
    ['middle_name', 'name'],
    ['last_name', 'name'],
    ['patient_name', 'name'],
    ['displayName', 'name'],
    ['mrn', 'mrn'],
    ['patient_mrn', 'mrn'],
    ['medical_record_number', 'mrn'],
    ['ssn_number', 'ssn'],
    ['SSNLast4', 'ssn'],
    ['PINCode', 'pincode'],
    ['patient_ssn', 'ssn'],
    ['X-Custom-Auth', 'credential'],
    ['X-Session-Key', 'credential'],
    ['API-KEY', 'apikey'],
    ['apiKey', 'apikey'],
    ['api_key', 'apikey'],
  ])('%s is redacted as %s', (key, kind) => {
    expect((redactor.redactValue({ [key]: 'canary-v4lue' }) as Record<string, unknown>)[key]).toBe(
      `[REDACTED:${kind}]`,
    );
  });

  it.each([
    'spin',
    'shipping',
    'filename',
    'tool_name',
    'max_tokens',
    'gen_ai.usage.input_tokens',
    'primaryKey',
    'cache_key',
    'author',
  ])('leaves %s alone', (key) => {
    expect((redactor.redactValue({ [key]: 'v' }) as Record<string, unknown>)[key]).toBe('v');
  });

  it('keeps OpenTelemetry semantic-convention attributes (allow list) but still detects values in them', () => {
    const attributes: Record<string, string | number> = {
      'server.address': 'db.internal',
      'client.address': '10.1.2.3',
      'network.peer.address': '10.0.0.9',
      'network.local.address': '127.0.0.1',
      'url.scheme': 'https',
      'http.request.method': 'POST',
      'service.name': 'checkout',
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.tool.name': 'lookup',
      'host.name': 'node-1',
      'url.full': 'https://a.example/p?token=abc123xyz',
    };
    redactor.redactAttributes(attributes);
    expect(attributes).toEqual({
      'server.address': 'db.internal',
      'client.address': '10.1.2.3',
      'network.peer.address': '10.0.0.9',
      'network.local.address': '127.0.0.1',
      'url.scheme': 'https',
      'http.request.method': 'POST',
      'service.name': 'checkout',
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.tool.name': 'lookup',
      'host.name': 'node-1',
      'url.full': 'https://a.example/p?token=[REDACTED:token]',
    });
    const withEmail: Record<string, string> = { 'server.address': 'jane@example.org' };
    redactor.redactAttributes(withEmail);
    expect(withEmail['server.address']).toBe('[REDACTED:email]');
  });

  it('still masks an address that is not a semantic-convention key', () => {
    const out = redactor.redactValue({ address: '1 Main St', home_address: '2 Elm St' }) as Record<
      string,
      string
    >;
    expect(out).toEqual({ address: '[REDACTED:address]', home_address: '[REDACTED:address]' });
  });

  it('lets a user rule choose prefix, contains or exact matching', () => {
    const custom = new Redactor({
      defaultKeys: false,
      keys: [
        { key: 'tenant', match: 'prefix' },
        { key: 'diag', match: 'contains' },
        { key: 'id', match: 'exact' },
      ],
    });
    const out = custom.redactValue({ tenantName: 1, myDiagCode: 2, id: 3, userid: 4 }) as Record<
      string,
      unknown
    >;
    expect(out).toEqual({
      tenantName: '[REDACTED:tenant]',
      myDiagCode: '[REDACTED:diag]',
      id: '[REDACTED:id]',
      userid: 4,
    });
    expect(() => new Redactor({ keys: [{ key: 'x', match: 'regex' as never }] })).toThrow(
      /unknown match "regex"/,
    );
  });
});
