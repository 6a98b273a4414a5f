import { describe, expect, it } from 'vitest';
import { auditContextFromEnv } from '../src/context/env-defaults.js';

describe('auditContextFromEnv', () => {
  it('maps the TOOLTRAIL_* attribution vars, trimmed; blank and unrelated vars give nothing', () => {
    expect(
      auditContextFromEnv({
        TOOLTRAIL_USER_ID: ' dr-solo ',
        TOOLTRAIL_USER_ROLE: 'physician',
        TOOLTRAIL_CONVERSATION_ID: '   ',
        TOOLTRAIL_PURPOSE: 'treatment',
        TOOLTRAIL_TRIGGER: 'proactive',
        USER: 'root',
      }),
    ).toEqual({ userId: 'dr-solo', userRole: 'physician', purpose: 'treatment' });
    expect(auditContextFromEnv({})).toEqual({});
  });
});
