/**
 * msal-node (the library the connector uses) against the simulator's authority: proves the metadata,
 * instance discovery and token endpoint are what msal expects, and shows the wiring a connector needs
 * (a network client that trusts the simulator's CA; knownAuthorities to skip login.microsoftonline.com).
 */
import { ConfidentialClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { request } from 'node:https';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGraphSimulator, type GraphSimulator } from './index.js';
import { wire } from './test-client.js';

const TENANT = '11111111-1111-1111-1111-111111111111';
let sim: GraphSimulator;

function networkClient(ca: string): INetworkModule {
  const send = <T>(url: string, method: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method, ca, headers: options?.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
          resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as T });
        });
      });
      req.on('error', reject);
      req.end(options?.body);
    });
  return {
    sendGetRequestAsync: (url, options) => send(url, 'GET', options),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options),
  };
}

function app(clientSecret: string): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: 'app', clientSecret, authority: `${sim.authorityHost}/${TENANT}`, knownAuthorities: [new URL(sim.authorityHost).host] },
    system: { networkClient: networkClient(sim.caCertPem) },
  });
}

beforeAll(async () => {
  sim = await startGraphSimulator();
  sim.addTenant({ tenantId: TENANT, domain: 'contoso.example', displayName: 'Contoso', apps: [{ clientId: 'app', clientSecret: 'right' }] });
});

afterAll(() => sim.close());

it('msal-node gets a client-credentials token that Graph accepts', async () => {
  const result = await app('right').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
  expect(result?.accessToken).toBeTruthy();
  const org = await wire(sim, 'GET', '/v1.0/organization', { token: result!.accessToken });
  expect(org.json.value[0]).toMatchObject({ id: TENANT, displayName: 'Contoso' });
});

it('msal-node surfaces AADSTS7000215 for a wrong secret', async () => {
  await expect(app('wrong').acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })).rejects.toMatchObject({
    errorCode: 'invalid_client',
    errorMessage: expect.stringContaining('AADSTS7000215'),
  });
});
