import { describe, expect, it } from 'vitest';
import { connectionForm, parseConnectionForm, platforms } from './connection-forms.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '1b730954-1685-4b74-9bfd-dac224a7b894';

describe('the Microsoft 365 connection form', () => {
  it('is available and asks for tenant id, client id and a secret or certificate', () => {
    expect(platforms().find((p) => p.id === 'm365')?.available).toBe(true);
    const form = connectionForm('m365');
    expect(form.fields.map((f) => [f.id, f.type])).toEqual([['tenantId', 'text'], ['clientId', 'text'], ['clientSecret', 'password'], ['certificate', 'multiline']]);
    expect(form.intro).toContain('Mail.ReadWrite');
  });

  it('parses a secret, or a certificate PEM, and names the field that is wrong', () => {
    expect(parseConnectionForm('m365', { tenantId: ` ${TENANT} `, clientId: CLIENT, clientSecret: 'abc~123' })).toEqual({ platform: 'm365', tenantId: TENANT, clientId: CLIENT, clientSecret: 'abc~123' });
    const pem = '-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----';
    expect(parseConnectionForm('m365', { tenantId: 'contoso.onmicrosoft.com', clientId: CLIENT, certificate: pem })).toEqual({ platform: 'm365', tenantId: 'contoso.onmicrosoft.com', clientId: CLIENT, certificate: pem });
    expect(() => parseConnectionForm('m365', { tenantId: 'not a tenant', clientId: CLIENT, clientSecret: 'x' })).toThrow(expect.objectContaining({ code: 'BAD_INPUT', details: { field: 'tenantId' } }));
    expect(() => parseConnectionForm('m365', { tenantId: TENANT, clientId: 'my app', clientSecret: 'x' })).toThrow(expect.objectContaining({ details: { field: 'clientId' } }));
    expect(() => parseConnectionForm('m365', { tenantId: TENANT, clientId: CLIENT })).toThrow(expect.objectContaining({ details: { field: 'clientSecret' } }));
    expect(() => parseConnectionForm('m365', { tenantId: TENANT, clientId: CLIENT, certificate: 'just a key' })).toThrow(expect.objectContaining({ details: { field: 'certificate' } }));
  });
});
