import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusMessages } from '../../helpers/corpus.js';
import { startGraphSimulator, type GraphSimulator } from './index.js';
import { tokenFor, wire } from './test-client.js';

const A = { tenantId: '11111111-1111-1111-1111-111111111111', domain: 'contoso.example' };
const B = { tenantId: '22222222-2222-2222-2222-222222222222', domain: 'fabrikam.example' };
const appA = { clientId: 'app-a', clientSecret: 'secret-a' };

let sim: GraphSimulator;
let token: string;
let alice: string;

beforeAll(async () => {
  sim = await startGraphSimulator();
  sim.addTenant({ ...A, displayName: 'Contoso', apps: [appA, { clientId: 'app-old', clientSecret: 'old', secretExpired: true }] });
  sim.addTenant({ ...B, displayName: 'Fabrikam', apps: [{ clientId: 'app-b', clientSecret: 'secret-b' }] });
  alice = sim.addUser(A.tenantId, { address: 'alice@contoso.example', displayName: 'Alice' }).id;
  sim.addUser(A.tenantId, { address: 'shared@contoso.example', displayName: 'Shared', purpose: 'shared' });
  sim.addUser(A.tenantId, { address: 'nomail@contoso.example', displayName: 'No Mail', mailbox: false });
  for (let i = 0; i < 7; i++) sim.addUser(A.tenantId, { address: `user${i}@contoso.example`, displayName: `User ${i}` });
  sim.addUser(B.tenantId, { address: 'bob@fabrikam.example', displayName: 'Bob' });
  const mimes = corpusMessages(25);
  mimes.forEach((mime, i) => sim.addMessage(A.tenantId, alice, i < 20 ? ['Inbox'] : ['Inbox', 'Projects'], { mime, isRead: i % 2 === 0 }));
  token = await tokenFor(sim, A.tenantId, appA.clientId, appA.clientSecret);
});

afterAll(() => sim.close());

describe('identity platform', () => {
  const form = (o: Record<string, string>) =>
    new URLSearchParams({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default', ...o }).toString();

  it('rejects a wrong secret with AADSTS7000215 and an expired one with AADSTS7000222', async () => {
    const wrong = await wire(sim, 'POST', `/${A.tenantId}/oauth2/v2.0/token`, { body: form({ client_id: 'app-a', client_secret: 'nope' }) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    expect(wrong.json.error_codes).toEqual([7000215]);
    expect(wrong.json.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided.*Trace ID: .*Timestamp: /);
    const expired = await wire(sim, 'POST', `/${A.tenantId}/oauth2/v2.0/token`, { body: form({ client_id: 'app-old', client_secret: 'old' }) });
    expect(expired.json.error_codes).toEqual([7000222]);
  });

  it('answers AADSTS90002 for an unknown tenant and AADSTS700016 for an app of another tenant', async () => {
    const unknown = await wire(sim, 'POST', '/33333333-0000-0000-0000-000000000000/oauth2/v2.0/token', { body: form({ client_id: 'app-a', client_secret: 'secret-a' }) });
    expect([unknown.status, unknown.json.error, unknown.json.error_codes[0]]).toEqual([400, 'invalid_request', 90002]);
    const foreign = await wire(sim, 'POST', `/${B.tenantId}/oauth2/v2.0/token`, { body: form({ client_id: 'app-a', client_secret: 'secret-a' }) });
    expect([foreign.status, foreign.json.error, foreign.json.error_codes[0]]).toEqual([400, 'unauthorized_client', 700016]);
  });

  it('serves OpenID metadata whose token endpoint is on the simulator', async () => {
    const res = await wire(sim, 'GET', `/${A.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(res.json.token_endpoint).toBe(`${sim.authorityHost}/${A.tenantId}/oauth2/v2.0/token`);
  });

  it('a multi-tenant app gets tokens only after admin consent, and a denied consent redirects with access_denied', async () => {
    sim.addMultiTenantApp({ clientId: 'mailferry', clientSecret: 'mf-secret' });
    await expect(tokenFor(sim, A.tenantId, 'mailferry', 'mf-secret')).rejects.toThrow(/700016/);
    const q = new URLSearchParams({ client_id: 'mailferry', scope: 'https://graph.microsoft.com/.default', redirect_uri: 'https://bot.example/consent', state: 'xyz' });
    const res = await wire(sim, 'GET', `/organizations/v2.0/adminconsent?${q}`);
    expect(res.status).toBe(302);
    const back = new URL(String(res.headers['location']));
    expect([back.origin + back.pathname, back.searchParams.get('admin_consent'), back.searchParams.get('tenant'), back.searchParams.get('state')]).toEqual(['https://bot.example/consent', 'True', A.tenantId, 'xyz']);
    expect(await tokenFor(sim, A.tenantId, 'mailferry', 'mf-secret')).toBeTruthy();

    const denying = await startGraphSimulator({ consentDecision: 'deny' });
    denying.addTenant(B);
    denying.addMultiTenantApp({ clientId: 'mailferry', clientSecret: 'mf-secret' });
    const denied = new URL(String((await wire(denying, 'GET', `/common/v2.0/adminconsent?${q}`)).headers['location']));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
    await denying.close();
  });

  it('refuses Graph calls without a token or with a token of another tenant', async () => {
    const none = await wire(sim, 'GET', '/v1.0/organization');
    expect([none.status, none.json.error.code]).toEqual([401, 'InvalidAuthenticationToken']);
    const tokenB = await tokenFor(sim, B.tenantId, 'app-b', 'secret-b');
    const cross = await wire(sim, 'GET', '/v1.0/users/alice@contoso.example/mailFolders', { token: tokenB });
    expect(cross.status).toBe(404);
  });
});

describe('directory', () => {
  it('pages users with an absolute nextLink and reports mailbox purpose or MailboxNotEnabledForRESTAPI', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/v1.0/users?$select=id,displayName,mail,userPrincipalName&$top=4';
    while (url) {
      const res = await wire(sim, 'GET', url, { token });
      seen.push(...res.json.value.map((u: { userPrincipalName: string }) => u.userPrincipalName));
      url = res.json['@odata.nextLink'];
      if (url) expect(url.startsWith(sim.baseUrl + '/v1.0/users?')).toBe(true);
    }
    expect(seen).toHaveLength(10);
    expect((await wire(sim, 'GET', '/v1.0/users/shared@contoso.example/mailboxSettings', { token })).json.userPurpose).toBe('shared');
    const none = await wire(sim, 'GET', '/v1.0/users/nomail@contoso.example/mailboxSettings', { token });
    expect([none.status, none.json.error.code]).toEqual([404, 'MailboxNotEnabledForRESTAPI']);
  });

  it('creates a user, refuses weak passwords and duplicates, and provisions the mailbox after licensing', async () => {
    sim.addSku(A.tenantId, { skuId: 'sku-e3', skuPartNumber: 'ENTERPRISEPACK', enabled: 5 });
    const spec = { accountEnabled: true, displayName: 'New', mailNickname: 'new', userPrincipalName: 'new@contoso.example', passwordProfile: { password: 'weak', forceChangePasswordNextSignIn: true } };
    expect((await wire(sim, 'POST', '/v1.0/users', { token, body: spec })).status).toBe(400);
    const created = await wire(sim, 'POST', '/v1.0/users', { token, body: { ...spec, passwordProfile: { password: 'Str0ng!pass', forceChangePasswordNextSignIn: true } } });
    expect(created.status).toBe(201);
    const dup = await wire(sim, 'POST', '/v1.0/users', { token, body: { ...spec, passwordProfile: { password: 'Str0ng!pass' } } });
    expect(dup.json.error.message).toContain('Another object with the same value for property userPrincipalName already exists.');
    const noLocation = await wire(sim, 'POST', `/v1.0/users/${created.json.id}/assignLicense`, { token, body: { addLicenses: [{ skuId: 'sku-e3', disabledPlans: [] }], removeLicenses: [] } });
    expect(noLocation.status).toBe(400);
    expect((await wire(sim, 'GET', '/v1.0/users/new@contoso.example/mailboxSettings', { token })).status).toBe(404);
    expect(sim.stats.usersCreated).toBe(1);
    const skus = await wire(sim, 'GET', '/v1.0/subscribedSkus', { token });
    expect(skus.json.value[0]).toMatchObject({ skuId: 'sku-e3', prepaidUnits: { enabled: 5 }, consumedUnits: 0 });
    const located = await wire(sim, 'POST', '/v1.0/users', { token, body: { ...spec, userPrincipalName: 'fr@contoso.example', mailNickname: 'fr', usageLocation: 'FR', passwordProfile: { password: 'Str0ng!pass' } } });
    expect((await wire(sim, 'POST', `/v1.0/users/${located.json.id}/assignLicense`, { token, body: { addLicenses: [{ skuId: 'sku-e3', disabledPlans: [] }], removeLicenses: [] } })).status).toBe(200);
    expect((await wire(sim, 'GET', '/v1.0/users/fr@contoso.example/mailboxSettings', { token })).json.userPurpose).toBe('user');
    expect(sim.users(A.tenantId).find((u) => u.address === 'fr@contoso.example')).toMatchObject({ licensed: ['sku-e3'], usageLocation: 'FR' });
  });
});

describe('mail', () => {
  it('lists root folders, hides hidden ones without the flag, and refuses a duplicate folder with 409', async () => {
    sim.addMessage(A.tenantId, alice, ['Secret'], { mime: corpusMessages(1, 30)[0]!, hidden: true });
    const names = async (q: string) => (await wire(sim, 'GET', `/v1.0/users/${alice}/mailFolders?$top=50${q}`, { token })).json.value.map((f: { displayName: string }) => f.displayName);
    expect(await names('')).not.toContain('Secret');
    expect(await names('&includeHiddenFolders=true')).toContain('Secret');
    const inbox = await wire(sim, 'GET', `/v1.0/users/${alice}/mailFolders/inbox`, { token });
    expect(inbox.json).toMatchObject({ displayName: 'Inbox', totalItemCount: 20, unreadItemCount: 10, childFolderCount: 1 });
    const dup = await wire(sim, 'POST', `/v1.0/users/${alice}/mailFolders/inbox/childFolders`, { token, body: { displayName: 'Projects' } });
    expect([dup.status, dup.json.error.code]).toEqual([409, 'ErrorFolderExists']);
  });

  it('serves the stored MIME byte for byte and probes by internetMessageId', async () => {
    const truth = sim.mailbox(A.tenantId, alice).messages[0]!;
    const raw = await wire(sim, 'GET', `/v1.0/users/${alice}/messages/${truth.id}/$value`, { token });
    expect(raw.raw.equals(truth.mime)).toBe(true);
    const filter = encodeURIComponent(`internetMessageId eq '${truth.internetMessageId!.replace(/'/g, "''")}'`);
    const probe = await wire(sim, 'GET', `/v1.0/users/${alice}/mailFolders/inbox/messages?$filter=${filter}&$select=id`, { token });
    expect(probe.json.value.map((m: { id: string }) => m.id)).toEqual([truth.id]);
  });

  it('creates a draft unless PR_MESSAGE_FLAGS clears MSGFLAG_UNSENT, and dates it from the extended properties', async () => {
    const before = sim.stats.draftsCreated;
    const message = { subject: 'Héllo', body: { contentType: 'html', content: '<p>hi</p>' }, from: { emailAddress: { name: 'Carol', address: 'carol@x.example' } }, toRecipients: [{ emailAddress: { address: 'alice@contoso.example' } }], internetMessageId: '<m1@x.example>' };
    const draft = await wire(sim, 'POST', `/v1.0/users/${alice}/mailFolders/inbox/messages`, { token, body: message });
    expect([draft.status, draft.json.isDraft]).toEqual([201, true]);
    expect(sim.stats.draftsCreated).toBe(before + 1);
    const props = [
      { id: 'Integer 0x0E07', value: '1' },
      { id: 'SystemTime 0x0E06', value: '2002-08-01T10:00:00Z' },
      { id: 'String {00020329-0000-0000-C000-000000000046} Name mailferrySource', value: 'src-1' },
    ];
    const sent = await wire(sim, 'POST', `/v1.0/users/${alice}/mailFolders/inbox/messages`, {
      token,
      body: { ...message, internetMessageId: '<m2@x.example>', singleValueExtendedProperties: props, attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.txt', contentType: 'text/plain', contentBytes: Buffer.from('attached').toString('base64') }] },
    });
    expect(sent.json).toMatchObject({ isDraft: false, receivedDateTime: '2002-08-01T10:00:00.000Z' });
    expect(sim.stats.draftsCreated).toBe(before + 1);
    const mime = (await wire(sim, 'GET', `/v1.0/users/${alice}/messages/${sent.json.id}/$value`, { token })).raw.toString();
    expect(mime).toMatch(/^From: "Carol" <carol@x\.example>\r\n/);
    expect(mime).toContain('Subject: =?utf-8?B?');
    expect(mime).toContain('Message-ID: <m2@x.example>');
    expect(mime).toMatch(/Content-Type: multipart\/mixed; boundary=/);
    expect(mime).toContain(Buffer.from('attached').toString('base64'));
    const ext = encodeURIComponent("singleValueExtendedProperties/Any(ep: ep/id eq 'String {00020329-0000-0000-C000-000000000046} Name mailferrySource' and ep/value eq 'src-1')");
    const probe = await wire(sim, 'GET', `/v1.0/users/${alice}/mailFolders/inbox/messages?$filter=${ext}&$select=id`, { token });
    expect(probe.json.value.map((m: { id: string }) => m.id)).toEqual([sent.json.id]);
  });

  it('always makes a draft from MIME and refuses a JSON body over 4 MB', async () => {
    const before = sim.stats.draftsCreated;
    const mime = corpusMessages(1, 40)[0]!;
    const res = await wire(sim, 'POST', `/v1.0/users/${alice}/messages`, { token, body: mime.toString('base64'), headers: { 'content-type': 'text/plain' } });
    expect([res.status, res.json.isDraft]).toEqual([201, true]);
    expect(sim.stats.draftsCreated).toBe(before + 1);
    const big = await wire(sim, 'POST', `/v1.0/users/${alice}/mailFolders/inbox/messages`, { token, body: { subject: 'big', body: { contentType: 'text', content: 'x'.repeat(4_300_000) } } });
    expect(big.status).toBe(413);
  });
});

describe('delta', () => {
  it('pages with skiptoken, ends with a deltaLink, reports changes and removals, and answers 410 for superseded links', async () => {
    const folder = `/v1.0/users/${alice}/mailFolders/inbox/messages/delta?$select=id,internetMessageId,isRead,flag,categories`;
    const prefer = { prefer: 'IdType="ImmutableId", odata.maxpagesize=8' };
    const first = await wire(sim, 'GET', folder, { token, headers: prefer });
    expect(first.json.value).toHaveLength(8);
    const next1: string = first.json['@odata.nextLink'];
    expect(next1).toMatch(/\$skiptoken=/);
    let res = await wire(sim, 'GET', next1, { token, headers: prefer });
    const ids = [...first.json.value, ...res.json.value].map((m: { id: string }) => m.id);
    while (res.json['@odata.nextLink']) {
      const again = await wire(sim, 'GET', res.json['@odata.nextLink'], { token, headers: prefer });
      ids.push(...again.json.value.map((m: { id: string }) => m.id));
      res = again;
    }
    const inboxNow = sim.mailbox(A.tenantId, alice).messages.filter((m) => m.path.join('/') === 'Inbox');
    expect(new Set(ids)).toEqual(new Set(inboxNow.map((m) => m.id)));
    const deltaLink: string = res.json['@odata.deltaLink'];
    expect(deltaLink).toMatch(/\$deltatoken=/);
    expect((await wire(sim, 'GET', next1, { token })).status).toBe(410);

    const [changed, removed] = inboxNow;
    await wire(sim, 'PATCH', `/v1.0/users/${alice}/messages/${changed!.id}`, { token, body: { isRead: !changed!.isRead, flag: { flagStatus: 'flagged' } } });
    await wire(sim, 'DELETE', `/v1.0/users/${alice}/messages/${removed!.id}`, { token });
    const round = await wire(sim, 'GET', deltaLink, { token });
    expect(round.json.value).toEqual([
      { id: changed!.id, internetMessageId: changed!.internetMessageId, isRead: !changed!.isRead, flag: { flagStatus: 'flagged' }, categories: [], '@odata.etag': expect.any(String) },
      { '@odata.type': '#microsoft.graph.message', id: removed!.id, '@removed': { reason: 'deleted' } },
    ]);
    await wire(sim, 'GET', round.json['@odata.deltaLink'], { token });
    const stale = await wire(sim, 'GET', deltaLink, { token });
    expect([stale.status, stale.json.error.code]).toEqual([410, 'SyncStateNotFound']);
    const latest = await wire(sim, 'GET', round.json['@odata.deltaLink'], { token });
    expect(latest.status).toBe(200);
    sim.expireDeltaTokens();
    expect((await wire(sim, 'GET', round.json['@odata.deltaLink'], { token })).status).toBe(410);
  });
});

describe('calendar and contacts', () => {
  it('counts one invitation per attendee when an event is created or patched with attendees, none without', async () => {
    const cals = await wire(sim, 'GET', `/v1.0/users/${alice}/calendars`, { token });
    const cal = cals.json.value.find((c: { isDefaultCalendar: boolean }) => c.isDefaultCalendar).id;
    const base = { subject: 'Review', start: { dateTime: '2026-01-05T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-01-05T11:00:00', timeZone: 'UTC' }, iCalUId: 'ical-1' };
    const quiet = await wire(sim, 'POST', `/v1.0/users/${alice}/calendars/${cal}/events`, { token, body: base });
    expect(quiet.status).toBe(201);
    expect(sim.stats.invitationsSent).toBe(0);
    const attendees = [{ emailAddress: { address: 'x@y.example' }, type: 'required' }, { emailAddress: { address: 'z@y.example' }, type: 'optional' }];
    await wire(sim, 'POST', `/v1.0/users/${alice}/calendars/${cal}/events`, { token, body: { ...base, iCalUId: 'ical-2', attendees } });
    expect(sim.stats.invitationsSent).toBe(2);
    await wire(sim, 'PATCH', `/v1.0/users/${alice}/events/${quiet.json.id}`, { token, body: { attendees: attendees.slice(0, 1) } });
    expect(sim.stats.invitationsSent).toBe(3);
    const probe = await wire(sim, 'GET', `/v1.0/users/${alice}/calendars/${cal}/events?$filter=${encodeURIComponent("iCalUId eq 'ical-1'")}`, { token });
    expect(probe.json.value.map((e: { id: string }) => e.id)).toEqual([quiet.json.id]);
  });

  it('creates contacts in the default folder and in a new folder', async () => {
    const folder = await wire(sim, 'POST', `/v1.0/users/${alice}/contactFolders`, { token, body: { displayName: 'Clients' } });
    await wire(sim, 'POST', `/v1.0/users/${alice}/contactFolders/${folder.json.id}/contacts`, { token, body: { displayName: 'Dora', emailAddresses: [{ address: 'dora@c.example' }] } });
    await wire(sim, 'POST', `/v1.0/users/${alice}/contacts`, { token, body: { displayName: 'Eve' } });
    expect(sim.mailbox(A.tenantId, alice).contacts.map((c) => [c.folder, c.displayName, c.emails])).toEqual([['Clients', 'Dora', ['dora@c.example']], ['Contacts', 'Eve', []]]);
  });
});
