/**
 * A protocol-faithful Microsoft Graph + identity-platform simulator over HTTPS (issue 5): two or
 * more tenants in memory, the endpoints of /work/notes/graph-contract.md, Outlook's per app + mailbox
 * limits with 429 + Retry-After, 410 for superseded delta links, inner 429s in `$batch`, and records
 * of drafts created and invitations sent. Tests and benchmarks start one per suite; nothing talks to
 * Microsoft.
 */
import { randomUUID } from 'node:crypto';
import { batchRoute } from './batch.js';
import { calendarRoutes, storeEvent } from './calendar.js';
import { contactRoutes, defaultFolder, storeContact } from './contacts.js';
import { deltaRoutes, expireDeltaLinks } from './delta.js';
import { directoryRoutes } from './directory.js';
import { mailRoutes } from './mail.js';
import { messageMime, seedMessage } from './messages.js';
import { GraphRouter } from './router.js';
import { listen } from './server.js';
import { SimState, ensureFolderPath, folderPath, newId, newMailbox } from './state.js';
import { selfSignedCertificate } from './tls.js';
import type { GraphFaults, GraphLimits, GraphSimulatorOptions, GraphStats, SimApp } from './types.js';

export type { GraphFaults, GraphLimits, GraphSimulatorOptions, GraphStats } from './types.js';
export { defaultGraphLimits } from './types.js';

export interface MailboxTruth {
  id: string;
  address: string;
  purpose: string;
  ready: boolean;
  folders: { id: string; path: string[]; hidden: boolean; count: number }[];
  messages: { id: string; path: string[]; internetMessageId: string | null; subject: string; isDraft: boolean; isRead: boolean; receivedDateTime: string; flagged: boolean; categories: string[]; mime: Buffer }[];
  events: { id: string; calendar: string; subject: string; start: string; end: string; iCalUId: string; attendees: string[] }[];
  contacts: { id: string; folder: string; displayName: string; emails: string[] }[];
}

export interface GraphSimulator {
  baseUrl: string;
  authorityHost: string;
  caCertPem: string;
  addTenant(t: { tenantId: string; domain: string; displayName?: string; apps?: SimApp[] }): void;
  addMultiTenantApp(app: { clientId: string; clientSecret: string }): void;
  addUser(tenantId: string, u: { address: string; displayName: string; purpose?: 'user' | 'shared' | 'room' | 'equipment'; mailbox?: boolean }): { id: string };
  addMessage(tenantId: string, userId: string, path: string[], m: { mime: Buffer; isRead?: boolean; receivedDateTime?: string; flagged?: boolean; categories?: string[]; hidden?: boolean }): { id: string };
  addEvent(tenantId: string, userId: string, e: { subject: string; start: string; end: string; attendees?: string[]; iCalUId?: string; calendar?: string }): { id: string };
  addContact(tenantId: string, userId: string, c: { displayName: string; email?: string; folder?: string }): { id: string };
  addSku(tenantId: string, sku: { skuId: string; skuPartNumber: string; enabled: number }): void;
  mailbox(tenantId: string, userIdOrAddress: string): MailboxTruth;
  users(tenantId: string): { id: string; address: string; purpose: string; licensed: string[]; usageLocation: string | null }[];
  stats: GraphStats;
  expireDeltaTokens(): void;
  setLimits(l: Partial<GraphLimits>): void;
  setFaults(f: GraphFaults): void;
  close(): Promise<void>;
}

export async function startGraphSimulator(opts: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const tls = await selfSignedCertificate();
  const state = new SimState(opts);
  const router = new GraphRouter(state);
  router.add([batchRoute(state, router), ...directoryRoutes, ...deltaRoutes, ...mailRoutes, ...calendarRoutes, ...contactRoutes]);
  const { server, origin } = await listen(tls, state, router);
  state.origin = origin;

  return {
    baseUrl: origin,
    authorityHost: origin,
    caCertPem: tls.cert,
    stats: state.stats,
    addTenant(t) {
      const apps = new Map((t.apps ?? []).map((a) => [a.clientId, { ...a }]));
      state.tenants.set(t.tenantId, { id: t.tenantId, domain: t.domain, displayName: t.displayName ?? t.domain, apps, consented: new Set(), users: new Map(), skus: [] });
    },
    addMultiTenantApp(app) {
      state.multiTenantApps.set(app.clientId, { ...app });
    },
    addUser(tenantId, u) {
      const tenant = state.requireTenant(tenantId);
      const id = randomUUID();
      const hasMailbox = u.mailbox !== false;
      tenant.users.set(id, {
        id, address: u.address, displayName: u.displayName, purpose: u.purpose ?? 'user', mailNickname: u.address.split('@')[0]!,
        accountEnabled: u.purpose === undefined || u.purpose === 'user', usageLocation: null, licensed: [], readyAt: hasMailbox ? 0 : null, mailbox: newMailbox(),
      });
      return { id };
    },
    addMessage(tenantId, userId, path, m) {
      const mb = state.requireUser(tenantId, userId).mailbox;
      const folder = ensureFolderPath(mb, path, m.hidden);
      if (m.hidden) folder.hidden = true;
      return { id: seedMessage(mb, folder.id, m.mime, m).id };
    },
    addEvent(tenantId, userId, e) {
      const mb = state.requireUser(tenantId, userId).mailbox;
      const name = e.calendar ?? 'Calendar';
      let cal = [...mb.calendars.values()].find((c) => c.name === name);
      if (!cal) {
        cal = { id: newId(), name, isDefault: false };
        mb.calendars.set(cal.id, cal);
      }
      const attendees = (e.attendees ?? []).map((address) => ({ emailAddress: { address, name: address }, type: 'required' }));
      const data = { subject: e.subject, start: { dateTime: e.start, timeZone: 'UTC' }, end: { dateTime: e.end, timeZone: 'UTC' }, attendees, body: { contentType: 'text', content: '' }, ...(e.iCalUId ? { iCalUId: e.iCalUId } : {}) };
      return { id: storeEvent(mb, cal.id, data).id };
    },
    addContact(tenantId, userId, c) {
      const mb = state.requireUser(tenantId, userId).mailbox;
      let folderId = defaultFolder(mb);
      if (c.folder && c.folder !== 'Contacts') {
        let f = [...mb.contactFolders.values()].find((x) => x.displayName === c.folder);
        if (!f) {
          f = { id: newId(), displayName: c.folder, isDefault: false };
          mb.contactFolders.set(f.id, f);
        }
        folderId = f.id;
      }
      const emailAddresses = c.email ? [{ address: c.email, name: c.displayName }] : [];
      return { id: storeContact(mb, folderId, { displayName: c.displayName, emailAddresses }).id };
    },
    addSku(tenantId, sku) {
      state.requireTenant(tenantId).skus.push({ ...sku, consumed: 0 });
    },
    mailbox: (tenantId, who) => mailboxTruth(state, tenantId, who),
    users(tenantId) {
      return [...state.requireTenant(tenantId).users.values()].map((u) => ({ id: u.id, address: u.address, purpose: u.purpose, licensed: [...u.licensed], usageLocation: u.usageLocation }));
    },
    expireDeltaTokens: () => expireDeltaLinks(state),
    setLimits: (l) => state.limiter.setLimits(l),
    setFaults: (f) => state.limiter.setFaults(f),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function mailboxTruth(state: SimState, tenantId: string, who: string): MailboxTruth {
  const u = state.requireUser(tenantId, who);
  const mb = u.mailbox;
  const pathOf = (folderId: string) => folderPath(mb, mb.folders.get(folderId)!);
  const messages = [...mb.messages.values()];
  const address = (a: unknown) => String(((a as { emailAddress?: { address?: string } }).emailAddress ?? {}).address ?? '');
  return {
    id: u.id,
    address: u.address,
    purpose: u.purpose,
    ready: state.mailboxReady(u),
    folders: [...mb.folders.values()].filter((f) => f.wellKnown !== 'msgfolderroot').map((f) => ({ id: f.id, path: folderPath(mb, f), hidden: f.hidden, count: messages.filter((m) => m.folderId === f.id).length })),
    messages: messages.map((m) => ({
      id: m.id, path: pathOf(m.folderId), internetMessageId: m.internetMessageId, subject: m.subject, isDraft: m.isDraft, isRead: m.isRead,
      receivedDateTime: m.receivedDateTime, flagged: m.flagStatus === 'flagged', categories: [...m.categories], mime: messageMime(m),
    })),
    events: [...mb.events.values()].map((e) => {
      const d = e.data as { subject?: string; start?: { dateTime?: string }; end?: { dateTime?: string }; attendees?: unknown[] };
      return { id: e.id, calendar: mb.calendars.get(e.calendarId)?.name ?? '', subject: d.subject ?? '', start: d.start?.dateTime ?? '', end: d.end?.dateTime ?? '', iCalUId: e.iCalUId, attendees: (d.attendees ?? []).map(address) };
    }),
    contacts: [...mb.contacts.values()].map((c) => ({
      id: c.id, folder: mb.contactFolders.get(c.folderId)?.displayName ?? '', displayName: String(c.data['displayName'] ?? ''),
      emails: ((c.data['emailAddresses'] as { address?: string }[] | undefined) ?? []).map((e) => e.address ?? ''),
    })),
  };
}
