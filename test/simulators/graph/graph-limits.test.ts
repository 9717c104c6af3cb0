import { afterEach, describe, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator, type GraphSimulatorOptions } from './index.js';
import { tokenFor, wire } from './test-client.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
let sim: GraphSimulator;

async function setup(opts: GraphSimulatorOptions): Promise<{ token: string; user: string }> {
  sim = await startGraphSimulator(opts);
  sim.addTenant({ tenantId: TENANT, domain: 'contoso.example', apps: [{ clientId: 'app', clientSecret: 's' }] });
  const user = sim.addUser(TENANT, { address: 'alice@contoso.example', displayName: 'Alice' }).id;
  sim.addUser(TENANT, { address: 'bob@contoso.example', displayName: 'Bob' });
  return { token: await tokenFor(sim, TENANT, 'app', 's'), user };
}

afterEach(() => sim?.close());

describe('Outlook limits per app + mailbox', () => {
  it('throttles the 5th concurrent request to one mailbox with MailboxConcurrency and Retry-After: 1, not another mailbox', async () => {
    const { token, user } = await setup({ latencyMs: 300 });
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => wire(sim, 'GET', `/v1.0/users/${user}/mailFolders/inbox`, { token })),
      wire(sim, 'GET', '/v1.0/users/bob@contoso.example/mailFolders/inbox', { token }),
    ]);
    const throttled = results.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!.headers['retry-after']).toBe('1');
    expect(throttled[0]!.json.error).toMatchObject({ code: 'ApplicationThrottled', message: expect.stringContaining('MailboxConcurrency') });
    expect(results[5]!.status).toBe(200);
    expect(sim.stats.throttled.concurrency).toBe(1);
  });

  it('answers 429 with the seconds until the window frees a slot, then serves again after Retry-After', async () => {
    const { token, user } = await setup({ limits: { requestsPerWindow: 3, windowMs: 2000 } });
    for (let i = 0; i < 3; i++) expect((await wire(sim, 'GET', `/v1.0/users/${user}/mailFolders/inbox`, { token })).status).toBe(200);
    const refused = await wire(sim, 'GET', `/v1.0/users/${user}/mailFolders/inbox`, { token });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await wire(sim, 'GET', `/v1.0/users/${user}/mailFolders/inbox`, { token })).status).toBe(200);
    expect(sim.stats.throttled.rate).toBe(1);
  });

  it('throttles item creation past the upload window and counts the bytes it accepted', async () => {
    const { token, user } = await setup({ limits: { uploadBytesPerWindow: 10_000, uploadWindowMs: 60_000 } });
    const body = { subject: 'x', body: { contentType: 'text', content: 'y'.repeat(6000) } };
    expect((await wire(sim, 'POST', `/v1.0/users/${user}/mailFolders/inbox/messages`, { token, body })).status).toBe(201);
    const refused = await wire(sim, 'POST', `/v1.0/users/${user}/mailFolders/inbox/messages`, { token, body });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
    expect(sim.stats.throttled.upload).toBe(1);
    expect(sim.mailbox(TENANT, user).messages).toHaveLength(1);
  });

  it('returns inner 429s with Retry-After inside a 200 $batch, and 400 for more than 20 requests', async () => {
    const { token, user } = await setup({ limits: { requestsPerWindow: 5, windowMs: 60_000 } });
    const requests = Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${user}/mailFolders/inbox` }));
    const res = await wire(sim, 'POST', '/v1.0/$batch', { token, body: { requests } });
    expect(res.status).toBe(200);
    const statuses = res.json.responses.map((r: { status: number }) => r.status);
    expect(statuses.filter((s: number) => s === 200)).toHaveLength(5);
    const inner429 = res.json.responses.filter((r: { status: number }) => r.status === 429);
    expect(inner429).toHaveLength(3);
    expect(Number(inner429[0].headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(sim.stats.batchInner429).toBe(3);
    const tooMany = await wire(sim, 'POST', '/v1.0/$batch', { token, body: { requests: Array.from({ length: 21 }, (_, i) => ({ ...requests[0], id: String(i) })) } });
    expect(tooMany.status).toBe(400);
  });

  it('injects seeded 503s with Retry-After when asked', async () => {
    const { token, user } = await setup({ faults: { random503Rate: 1, seed: 7 } });
    const res = await wire(sim, 'GET', `/v1.0/users/${user}/mailFolders/inbox`, { token });
    expect([res.status, res.json.error.code, res.headers['retry-after']]).toEqual([503, 'ServiceUnavailable', '1']);
    sim.setFaults({});
    expect((await wire(sim, 'GET', `/v1.0/users/${user}/mailFolders/inbox`, { token })).status).toBe(200);
    expect(sim.stats.unavailable503).toBe(1);
  });
});
