import { describe, expect, it } from 'vitest';
import { decideTeamsAuth, isLoopbackHost } from './teams-auth.js';

describe('decideTeamsAuth', () => {
  it('accepts anonymous activities without an app id only on loopback', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) {
      expect(decideTeamsAuth({ host, TEAMS_APP_ID: undefined, TEAMS_APP_PASSWORD: undefined, TEAMS_APP_TENANT_ID: undefined }).mode).toBe('anonymous');
    }
  });

  it('refuses anonymous activities when the server is reachable from elsewhere', () => {
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'bot.example.com']) {
      const decision = decideTeamsAuth({ host, TEAMS_APP_ID: undefined, TEAMS_APP_PASSWORD: undefined, TEAMS_APP_TENANT_ID: undefined });
      expect(decision.mode).toBe('refuse');
      if (decision.mode === 'refuse') expect(decision.reason).toContain('TEAMS_APP_ID');
    }
  });

  it('validates Bot Framework tokens as soon as an app id is set, even on loopback', () => {
    const decision = decideTeamsAuth({ host: '127.0.0.1', TEAMS_APP_ID: 'app', TEAMS_APP_PASSWORD: 'pw', TEAMS_APP_TENANT_ID: 'tenant' });
    expect(decision).toEqual({ mode: 'jwt', appId: 'app', password: 'pw', tenantId: 'tenant' });
  });

  it('does not treat look-alike names as loopback', () => {
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});
