import { describe, expect, it } from 'vitest';
import type { CreateMissingPlan, ProjectInfo } from '../../engine/index.js';
import { presentCreateMissingForm } from './m365-launch.js';
import { presentM365Connect } from './m365-connect.js';

const project = { id: 'prj_1', name: 'contoso', sourcePlatform: 'm365', destinationPlatform: 'm365' } as ProjectInfo;
const plan = (n: number): CreateMissingPlan => ({
  toCreate: Array.from({ length: n }, (_, i) => ({ sourceAddress: `u${i}@old.example`, destinationAddress: `u${i}@new.example` })),
  skus: [{ skuId: 'sku-e3', name: 'ENTERPRISEPACK', available: 3 }, { skuId: 'sku-full', name: 'SPE_E5', available: 0 }, { skuId: 'sku-x', name: 'EXCHANGESTANDARD', available: 1 }],
  createsUsers: true,
});

describe('presentCreateMissingForm', () => {
  it('asks for a usage location and a license with free seats, names the users to create and launches run.create_missing', () => {
    const form = presentCreateMissingForm(project, plan(12));
    expect(form.title).toBe('Full run of contoso: create 12 missing users');
    expect(form.intro).toContain('u0@new.example, u1@new.example');
    expect(form.intro).toContain('and 2 more');
    expect(form.intro).toContain('nobody is shown');
    const [location, sku] = form.fields;
    expect(location).toMatchObject({ id: 'usageLocation', value: 'US', required: true });
    expect(sku!.options).toEqual([{ value: 'sku-e3', label: 'ENTERPRISEPACK (3 free)' }, { value: 'sku-x', label: 'EXCHANGESTANDARD (1 free)' }]);
    expect(form.submit).toEqual({ label: 'Launch full run', verb: 'run.create_missing', data: { projectId: 'prj_1' } });
  });

  it('keeps what was typed and shows the problem beside the field', () => {
    const form = presentCreateMissingForm(project, plan(1), { usageLocation: 'Germany', skuId: 'sku-x' }, { usageLocation: 'Give a two-letter country code.' });
    expect(form.title).toBe('Full run of contoso: create 1 missing user');
    expect(form.fields[0]).toMatchObject({ value: 'Germany', error: 'Give a two-letter country code.' });
    expect(form.fields[1]).toMatchObject({ value: 'sku-x' });
  });
});

describe('presentM365Connect', () => {
  const permissions = [{ name: 'Mail.ReadWrite', why: 'copy mail' }];
  it('offers the consent link and the manual form', () => {
    const view = presentM365Connect(project, 'destination', { url: 'https://login.example/organizations/v2.0/adminconsent?x=1', permissions });
    expect(view).toMatchObject({ kind: 'm365_connect', side: 'destination', consentUrl: 'https://login.example/organizations/v2.0/adminconsent?x=1', permissions });
    expect(view.actions).toEqual([{ label: 'Enter tenant credentials', verb: 'connect.open', data: { projectId: 'prj_1', side: 'destination', manual: true } }]);
  });

  it('without guided consent on the server, says why and makes the manual way the primary one', () => {
    const view = presentM365Connect(project, 'source', { problem: 'M365_CLIENT_ID is not set.', permissions });
    expect(view.consentUrl).toBeUndefined();
    expect(view.consentProblem).toBe('M365_CLIENT_ID is not set.');
    expect(view.actions[0]).toMatchObject({ verb: 'connect.open', style: 'primary' });
  });
});
