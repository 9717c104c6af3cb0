import { AppError } from '../errors.js';
import type { ConnectionFieldSpec, PlatformInfo } from './api.js';
import type { ConnectionSettings, Platform } from './connectors/types.js';

const PLATFORM_LIST: PlatformInfo[] = [
  { id: 'imap', label: 'IMAP server', available: true },
  { id: 'sandbox', label: 'Sandbox tenant (synthetic data)', available: true },
  { id: 'm365', label: 'Microsoft 365', available: true },
  { id: 'google', label: 'Google Workspace', available: false },
  { id: 'exchange', label: 'Exchange Server', available: false },
];

function availableLabels(): string {
  return PLATFORM_LIST.filter((p) => p.available).map((p) => p.label).join(', ');
}

export function platforms(): PlatformInfo[] {
  return PLATFORM_LIST.map((p) => ({ ...p }));
}

/** The platform, if a project may use it now; UNSUPPORTED saying what is available otherwise. */
export function requireAvailablePlatform(value: string, side: string): Platform {
  const found = PLATFORM_LIST.find((p) => p.id === value.trim().toLowerCase());
  const available = PLATFORM_LIST.filter((p) => p.available).map((p) => p.label);
  if (!found) throw new AppError('BAD_INPUT', `"${value}" is not a platform mailferry knows for the ${side}. Available now: ${available.join(', ')}.`, { details: { field: `${side}Platform` } });
  if (!found.available) throw new AppError('UNSUPPORTED', `${found.label} is not available yet as a ${side}. Available now: ${available.join(', ')}.`, { details: { field: `${side}Platform` } });
  return found.id;
}

const IMAP_FIELDS: ConnectionFieldSpec[] = [
  { id: 'host', label: 'IMAP host', type: 'text', required: true, placeholder: 'mail.example.com' },
  { id: 'port', label: 'Port', type: 'number', required: true, value: '993' },
  { id: 'tls', label: 'Use TLS', type: 'toggle', required: false, value: 'true' },
  { id: 'accounts', label: 'Mailboxes', type: 'multiline', required: true, placeholder: 'ada@example.com,password',
    hint: 'One mailbox per line: address,password. A header line (address,password) is skipped. With a master user, the password may be left empty.' },
  { id: 'masterUser', label: 'Master user (optional)', type: 'text', required: false, hint: 'An admin login that can open every mailbox (Dovecot master user).' },
  { id: 'masterPassword', label: 'Master password (optional)', type: 'password', required: false },
];

const SANDBOX_FIELDS: ConnectionFieldSpec[] = [
  { id: 'domain', label: 'Domain', type: 'text', required: true, value: 'sandbox.example' },
  { id: 'mailboxes', label: 'Mailboxes', type: 'number', required: true, value: '25' },
  { id: 'messagesPerMailbox', label: 'Messages per mailbox', type: 'number', required: true, value: '40' },
  { id: 'seed', label: 'Seed', type: 'number', required: true, value: '1', hint: 'The same seed gives the same synthetic tenant.' },
];

const M365_FIELDS: ConnectionFieldSpec[] = [
  { id: 'tenantId', label: 'Directory (tenant) ID', type: 'text', required: true, placeholder: '00000000-0000-0000-0000-000000000000', hint: 'Entra ID → Overview → Tenant ID (or the tenant\'s primary domain).' },
  { id: 'clientId', label: 'Application (client) ID', type: 'text', required: true, placeholder: '00000000-0000-0000-0000-000000000000', hint: 'Entra ID → App registrations → your app → Overview.' },
  { id: 'clientSecret', label: 'Client secret value', type: 'password', required: false, hint: 'Certificates & secrets → the secret\'s Value (not its ID). Or give a certificate below.' },
  { id: 'certificate', label: 'Certificate (PEM, instead of a secret)', type: 'multiline', required: false, hint: 'The private key and the certificate in one PEM text; upload the certificate to the app registration.' },
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseM365(fields: Record<string, unknown>): ConnectionSettings {
  const tenantId = text(fields, 'tenantId');
  if (!GUID.test(tenantId) && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenantId)) throw bad('tenantId', 'Directory (tenant) ID: give the tenant\'s ID (a GUID from Entra ID → Overview) or its primary domain.');
  const clientId = text(fields, 'clientId');
  if (!GUID.test(clientId)) throw bad('clientId', 'Application (client) ID: give the app registration\'s client ID, a GUID from Entra ID → App registrations → Overview.');
  const clientSecret = text(fields, 'clientSecret');
  const certificate = text(fields, 'certificate');
  if (!clientSecret && !certificate) throw bad('clientSecret', 'Client secret value: give the secret\'s Value, or a certificate PEM instead.');
  if (certificate && !(/BEGIN [A-Z ]*PRIVATE KEY/.test(certificate) && /BEGIN CERTIFICATE/.test(certificate))) {
    throw bad('certificate', 'Certificate: paste one PEM text with both the private key (BEGIN PRIVATE KEY) and the certificate (BEGIN CERTIFICATE).');
  }
  return { platform: 'm365', tenantId, clientId, ...(clientSecret ? { clientSecret } : { certificate }) };
}

export function connectionForm(platform: Platform): { intro: string; fields: ConnectionFieldSpec[] } {
  if (platform === 'm365') {
    return { intro: 'Connect Microsoft 365 with an app registration that has the application permissions User.Read.All, MailboxSettings.Read, Mail.ReadWrite, Calendars.ReadWrite and Contacts.ReadWrite (plus User.ReadWrite.All to create missing mailboxes), with admin consent granted.', fields: M365_FIELDS.map((f) => ({ ...f })) };
  }
  if (platform === 'imap') return { intro: 'Connect an IMAP server: its address and one line per mailbox to migrate.', fields: IMAP_FIELDS.map((f) => ({ ...f })) };
  if (platform === 'sandbox') return { intro: 'A synthetic tenant generated from a seed, for trying mailferry without real mailboxes.', fields: SANDBOX_FIELDS.map((f) => ({ ...f })) };
  throw new AppError('UNSUPPORTED', `${PLATFORM_LIST.find((p) => p.id === platform)?.label ?? platform} cannot be connected yet. Available now: ${availableLabels()}.`);
}

function bad(field: string, sentence: string): AppError {
  return new AppError('BAD_INPUT', sentence, { details: { field } });
}

function text(fields: Record<string, unknown>, id: string): string {
  const v = fields[id];
  return v === undefined || v === null ? '' : String(v).trim();
}

function int(fields: Record<string, unknown>, id: string, label: string, min: number, max: number, fallback?: number): number {
  const raw = text(fields, id);
  if (raw === '' && fallback !== undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(id, `${label} must be a whole number from ${min} to ${max}.`);
  return n;
}

function toggle(fields: Record<string, unknown>, id: string, fallback: boolean): boolean {
  const raw = text(fields, id).toLowerCase();
  if (raw === '') return fallback;
  return ['true', 'on', 'yes', '1'].includes(raw);
}

const ADDRESS = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

function parseAccounts(raw: string, hasMaster: boolean): { address: string; password: string }[] {
  const lines = raw.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines[0] && !lines[0].includes('@')) lines.shift();
  if (lines.length === 0) throw bad('accounts', 'Mailboxes: give at least one line "address,password".');
  return lines.map((line, i) => {
    const comma = line.indexOf(',');
    const address = (comma < 0 ? line : line.slice(0, comma)).trim();
    const password = comma < 0 ? '' : line.slice(comma + 1).trim();
    if (!ADDRESS.test(address)) throw bad('accounts', `Mailboxes, line ${i + 1}: "${address}" is not an e-mail address.`);
    if (!password && !hasMaster) throw bad('accounts', `Mailboxes, line ${i + 1}: the password of ${address} is missing (or give a master user).`);
    return { address: address.toLowerCase(), password };
  });
}

/** Form fields → settings; BAD_INPUT names the field (details.field) with a sentence. */
export function parseConnectionForm(platform: Platform, fields: Record<string, unknown>): ConnectionSettings {
  if (platform === 'imap') {
    const host = text(fields, 'host');
    if (!/^[a-zA-Z0-9.-]+$/.test(host)) throw bad('host', 'IMAP host: give a host name such as mail.example.com.');
    const masterUser = text(fields, 'masterUser');
    const masterPassword = text(fields, 'masterPassword');
    if (masterUser && !masterPassword) throw bad('masterPassword', 'Master password: required when a master user is given.');
    return {
      platform, host, port: int(fields, 'port', 'Port', 1, 65535, 993), tls: toggle(fields, 'tls', true),
      mailboxes: parseAccounts(text(fields, 'accounts'), Boolean(masterUser)),
      ...(masterUser ? { masterUser: { user: masterUser, password: masterPassword } } : {}),
    };
  }
  if (platform === 'm365') return parseM365(fields);
  if (platform === 'sandbox') {
    const domain = text(fields, 'domain').toLowerCase() || 'sandbox.example';
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) throw bad('domain', 'Domain: give a domain such as sandbox.example.');
    return {
      platform, domain, mailboxes: int(fields, 'mailboxes', 'Mailboxes', 1, 5000, 25),
      messagesPerMailbox: int(fields, 'messagesPerMailbox', 'Messages per mailbox', 0, 100_000, 40), seed: int(fields, 'seed', 'Seed', 0, 2 ** 31 - 1, 1),
    };
  }
  throw new AppError('UNSUPPORTED', `${platform} cannot be connected yet. Available now: ${availableLabels()}.`);
}

/** The non-secret summary shown on cards. */
export function summarize(settings: ConnectionSettings): string {
  switch (settings.platform) {
    case 'imap': return `imap${settings.tls ? 's' : ''}://${settings.host}:${settings.port}, ${settings.mailboxes.length} account${settings.mailboxes.length === 1 ? '' : 's'}${settings.masterUser ? ' (master user)' : ''}`;
    case 'sandbox': return `sandbox ${settings.domain}, ${settings.mailboxes} mailboxes × ${settings.messagesPerMailbox} messages (seed ${settings.seed})`;
    case 'm365': return `Microsoft 365 tenant ${settings.tenantId}`;
    case 'google': return `Google Workspace ${settings.domain}`;
    case 'exchange': return `Exchange ${settings.url}`;
  }
}
