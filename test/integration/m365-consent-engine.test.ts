/**
 * Guided consent in the engine (issue 5): the consent URL's shape, configuration errors that name
 * the variables, and states that were tampered with, expired or reused — each refused with a
 * sentence and nothing saved. (The accepted and declined paths run end to end in m365-chat-*.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Actor, type Engine } from '../../src/engine/index.js';
import { AppError } from '../../src/errors.js';
import { testEngineOptions } from '../helpers/store.js';

const admin: Actor = { orgId: 'slack:TCE', userId: 'U1', userName: 'Ada Admin', platformAdmin: true };
const APP = { clientId: 'f00dfeed-0000-4000-8000-0000000000a1', clientSecret: 'app-secret' };

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('guided consent in the engine', () => {
  let engine: Engine;
  let bare: Engine;
  let offsetMs = 0;

  beforeAll(async () => {
    const now = () => new Date(Date.now() + offsetMs);
    engine = await createEngine(testEngineOptions({ m365App: APP, publicUrl: 'https://mf.example/', connectorEnv: { authorityHost: 'https://login.example' }, now }));
    bare = await createEngine(testEngineOptions());
    for (const e of [engine, bare]) {
      await e.createProject(admin, { name: 'tenant-move', sourcePlatform: 'm365', destinationPlatform: 'sandbox', channelKey: 'slack:TCE:C1' });
    }
  });

  afterAll(async () => {
    await engine?.close();
    await bare?.close();
  });

  it('builds Microsoft’s admin-consent URL for mailferry’s app, with the permissions and why', async () => {
    const { url, permissions } = await engine.m365ConsentUrl(admin, { project: 'tenant-move', side: 'source' });
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe('https://login.example/organizations/v2.0/adminconsent');
    expect(Object.fromEntries(parsed.searchParams)).toMatchObject({ client_id: APP.clientId, scope: 'https://graph.microsoft.com/.default', redirect_uri: 'https://mf.example/consent/m365/callback' });
    expect(url).not.toContain(APP.clientSecret);
    expect(permissions.map((p) => p.name)).toEqual(['Mail.ReadWrite', 'Calendars.ReadWrite', 'Contacts.ReadWrite', 'MailboxSettings.Read', 'User.ReadWrite.All', 'Organization.Read.All']);
    expect(permissions.every((p) => p.why.length > 20)).toBe(true);
  });

  it('is a CONFIG error naming the missing variables when the server has no app; not for a non-Microsoft side', async () => {
    const error = await failure(bare.m365ConsentUrl(admin, { project: 'tenant-move', side: 'source' }));
    expect(error.code).toBe('CONFIG');
    expect(error.userMessage).toContain('M365_CLIENT_ID, M365_CLIENT_SECRET, MAILFERRY_PUBLIC_URL');
    expect(error.userMessage).toMatch(/own app registration/);
    expect((await failure(engine.m365ConsentUrl(admin, { project: 'tenant-move', side: 'destination' }))).code).toBe('BAD_INPUT');
  });

  it('refuses a changed state, a reused one and an expired one; a declined consent names AADSTS65004; nothing is saved', async () => {
    const state = async () => new URL((await engine.m365ConsentUrl(admin, { project: 'tenant-move', side: 'source' })).url).searchParams.get('state')!;
    const tampered = `${(await state()).slice(0, -3)}abc`;
    expect((await failure(engine.completeM365Consent({ state: tampered, tenant: 'contoso.example', adminConsent: 'True' }))).userMessage).toMatch(/not valid/);

    const declined = await state();
    const denied = await failure(engine.completeM365Consent({ state: declined, error: 'access_denied', errorDescription: 'AADSTS65004: User declined to consent to access the app.' }));
    expect(denied.code).toBe('AUTH_FAILED');
    expect(denied.userMessage).toContain('AADSTS65004');
    expect(denied.details).toMatchObject({ projectName: 'tenant-move', side: 'source', channelKey: 'slack:TCE:C1' });
    const reused = await failure(engine.completeM365Consent({ state: declined, tenant: 'contoso.example', adminConsent: 'True' }));
    expect(reused.userMessage).toMatch(/already used/);
    // A reused link tells nobody in chat: no channel in its details.
    expect(reused.details).toBeUndefined();

    const late = await state();
    offsetMs = 61 * 60 * 1000;
    try {
      expect((await failure(engine.completeM365Consent({ state: late, tenant: 'contoso.example', adminConsent: 'True' }))).userMessage).toMatch(/expired/);
    } finally {
      offsetMs = 0;
    }
    expect((await engine.getProject(admin, 'tenant-move')).connections).toEqual([]);
  });
});
