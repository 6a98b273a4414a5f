import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { auditTool } from '@tooltrail/core';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tooltrailHook, tooltrailMiddleware } from '../../src/http/tooltrail-middleware.js';
import { withTooltrail } from '../../src/http/with-tooltrail.js';
import { type Harness, startHarness } from '../support/framework-harness.js';

// A tool the agent calls while handling the request, after an await (a model round trip, in a real agent).
const lookupChart = auditTool('lookup_chart', async (patientId: string) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { patientId, status: 'active' };
});

async function handleChat(patientId: string): Promise<{ ok: true }> {
  await new Promise((resolve) => setImmediate(resolve));
  await lookupChart(patientId);
  return { ok: true };
}

// What an auth layer put on the request: here, a header the test sets (a verified token in a real app).
const userOf = (header: string | string[] | null | undefined) => {
  const [userId, userRole] = String(header ?? '').split(':');
  return userId ? { userId, userRole, conversationId: `conv-${userId}` } : undefined;
};

let harness: Harness;
const closers: Array<() => Promise<unknown> | unknown> = [];
beforeAll(async () => {
  harness = await startHarness('middleware');
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await harness.cleanup();
});

/** Two users at once, many requests each: every record names the user whose request made the call. */
async function expectPerRequestAttribution(baseUrl: string, framework: string): Promise<void> {
  const users = ['dr-house:physician', 'nurse-joy:nurse'];
  const requests = Array.from({ length: 20 }, (_, index) => {
    const user = users[index % 2]!;
    const patientId = `${framework}-${user.split(':')[0]}-${index}`;
    return fetch(`${baseUrl}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user': user },
      body: JSON.stringify({ patientId }),
    }).then(async (response) => expect(await response.json()).toEqual({ ok: true }));
  });
  await Promise.all(requests);
  const records = (await harness.records()).filter((record) =>
    String(record.args).startsWith(`${framework}-`),
  );
  expect(records).toHaveLength(20);
  for (const record of records) {
    const patientId = String(record.args);
    const expected = patientId.includes('dr-house')
      ? { user: 'dr-house', role: 'physician', conversation: 'conv-dr-house' }
      : { user: 'nurse-joy', role: 'nurse', conversation: 'conv-nurse-joy' };
    expect(record, patientId).toMatchObject({ tool: 'lookup_chart', ...expected });
  }
}

describe('tooltrailMiddleware sets the audit context per request (real frameworks on 127.0.0.1)', () => {
  it('Express 5', async () => {
    const app = express();
    app.use(express.json());
    app.use(tooltrailMiddleware((req: express.Request) => userOf(req.headers['x-user'])));
    app.post('/chat', async (req, res) => {
      res.json(await handleChat(req.body.patientId));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    await expectPerRequestAttribution(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      'express',
    );
  });

  it('Fastify 5 (tooltrailHook as preHandler, after the JSON body is parsed), with an async resolver', async () => {
    const app = Fastify();
    app.addHook(
      'preHandler',
      tooltrailHook(async (request: FastifyRequest) => {
        await new Promise((resolve) => setImmediate(resolve));
        return userOf(request.headers['x-user']);
      }),
    );
    app.post('/chat', async (request) => handleChat((request.body as { patientId: string }).patientId));
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    await expectPerRequestAttribution(
      `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      'fastify',
    );
  });

  it('Hono 4 (on @hono/node-server)', async () => {
    const app = new Hono();
    app.use(
      tooltrailMiddleware((c: { req: { header(name: string): string | undefined } }) =>
        userOf(c.req.header('x-user')),
      ),
    );
    app.post('/chat', async (c) => c.json(await handleChat((await c.req.json()).patientId)));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    await expectPerRequestAttribution(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'hono');
  });

  it('a throwing resolver does not break the request: the call is recorded, unattributed', async () => {
    const app = express();
    app.use(
      tooltrailMiddleware(() => {
        throw new Error('auth backend down');
      }),
    );
    app.get('/chat', async (_req, res) => {
      res.json(await handleChat('throwing-resolver'));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`);
    expect(await response.json()).toEqual({ ok: true });
    const record = (await harness.records()).find((candidate) => candidate.args === 'throwing-resolver');
    expect(record).toMatchObject({ tool: 'lookup_chart', user: null });
  });
  it('a resolver whose error quotes the request (an e-mail, a token) warns once, without it', async () => {
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', listener);
    const app = express();
    app.use(
      tooltrailMiddleware((req: express.Request) => {
        throw new Error(
          `no account for ${req.headers['x-email']} (${req.headers.authorization}), request ${req.headers['x-request-id']}`,
        );
      }),
    );
    app.get('/chat', async (_req, res) => {
      res.json(await handleChat('quoting-resolver'));
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    try {
      // Each request's error differs (another caller): still one warning for this resolver, not one per request.
      for (const [index, user] of ['carol.canary', 'dave.canary', 'erin.canary'].entries()) {
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`, {
          headers: {
            'x-email': `${user}@example.net`,
            authorization: 'Bearer canaryTOKEN0123456789abc',
            'x-request-id': `req-${index}`,
          },
        });
        expect(await response.json()).toEqual({ ok: true });
      }
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    const text = warnings.join('\n');
    expect(warnings.filter((warning) => warning.includes('attribution resolver threw'))).toHaveLength(1);
    expect(text).not.toContain('carol.canary');
    expect(text).not.toContain('canaryTOKEN');
  });
});

describe('withTooltrail wraps a fetch-style route handler (Next.js App Router shape)', () => {
  it('attributes the calls of each request, concurrently', async () => {
    const POST = withTooltrail(
      async (request: Request) =>
        Response.json(await handleChat(((await request.json()) as { patientId: string }).patientId)),
      (request: Request) => userOf(request.headers.get('x-user')),
    );
    const responses = await Promise.all(
      ['dr-house:physician', 'nurse-joy:nurse'].map((user) =>
        POST(
          new Request('http://127.0.0.1/api/chat', {
            method: 'POST',
            headers: { 'x-user': user },
            body: JSON.stringify({ patientId: `route-${user.split(':')[0]}` }),
          }),
        ),
      ),
    );
    for (const response of responses) expect(await response.json()).toEqual({ ok: true });
    const records = await harness.records();
    expect(records.find((record) => record.args === 'route-dr-house')).toMatchObject({ user: 'dr-house' });
    expect(records.find((record) => record.args === 'route-nurse-joy')).toMatchObject({ user: 'nurse-joy' });
  });
});
