/**
 * The directory side: users page by page with their mailbox kind (mailboxSettings.userPurpose,
 * which cannot be $selected on /users, so one batched request per user), validation, and
 * create_missing (POST /users with a generated password, then assignLicense).
 */
import { randomInt } from 'node:crypto';
import { AppError } from '../../../errors.js';
import type { CreateMailboxSpec, LicenseSku, MailboxKind, MailboxPage, MailboxRef, ValidationResult } from '../types.js';
import { batch } from './m365-batch.js';
import { bucketOf, userPath, type M365Context } from './m365-context.js';
import { GraphHttpError } from './m365-errors.js';

export const USERS_PAGE = 100;

interface GraphUser { id: string; displayName?: string; mail?: string | null; userPrincipalName?: string }

const KINDS: Record<string, MailboxKind> = { user: 'user', linked: 'user', others: 'user', shared: 'shared', room: 'room', equipment: 'equipment' };

export function kindOf(userPurpose: string | undefined): MailboxKind {
  return KINDS[(userPurpose ?? 'user').toLowerCase()] ?? 'user';
}

/** One page of users that have a mailbox; `page` is the previous page's nextLink. */
export async function listMailboxes(ctx: M365Context, page: string | undefined, signal?: AbortSignal): Promise<MailboxPage> {
  const url = page ?? `/users?$select=id,displayName,mail,userPrincipalName&$top=${USERS_PAGE}`;
  const site = { doing: 'listing the tenant\'s users', permission: 'User.Read.All' as const };
  const listed = await ctx.client.json<{ value: GraphUser[]; '@odata.nextLink'?: string }>({ url, mailbox: 'tenant', patient: true, site, signal });
  const users = listed.value ?? [];
  const settings = await batch(ctx.client, users.map((u, i) => ({ id: String(i), method: 'GET' as const, url: `${userPath(u)}/mailboxSettings`, mailbox: bucketOf(u) })),
    { doing: 'reading mailbox settings', permission: 'MailboxSettings.Read' }, signal);
  const mailboxes: MailboxRef[] = [];
  users.forEach((u, i) => {
    const answer = settings.get(String(i));
    // Users without an Exchange Online mailbox (unlicensed, guests, hosted on-premises) are not mailboxes.
    if (!answer || answer.status === 404 || answer.status === 400) return;
    if (answer.status === 403) throw new AppError('AUTH_FAILED', 'Microsoft 365 denied reading mailbox settings: the app registration lacks the application permission MailboxSettings.Read. Add it in Entra ID → App registrations → API permissions and grant admin consent.');
    if (answer.status >= 300) throw new AppError('INTERNAL', `Microsoft 365 failed to read the mailbox settings of ${u.mail ?? u.userPrincipalName} (${answer.status}). Try the scan again.`, { retryable: true });
    const address = (u.mail || u.userPrincipalName || u.id).toLowerCase();
    mailboxes.push({ id: u.id, address, displayName: u.displayName || address, kind: kindOf((answer.body as { userPurpose?: string } | undefined)?.userPurpose) });
  });
  const next = listed['@odata.nextLink'];
  return next ? { mailboxes, nextPage: next } : { mailboxes };
}

interface Organization { displayName?: string; verifiedDomains?: { name: string; isDefault?: boolean }[] }

/** Signs in (the AADSTS sentence on failure), reads the organization and one user. Throws AUTH_FAILED / CONNECTION_FAILED. */
export async function validate(ctx: M365Context, signal?: AbortSignal): Promise<ValidationResult> {
  const orgs = await ctx.client.json<{ value?: Organization[] }>({ url: '/organization', mailbox: 'tenant', patient: true, site: { doing: 'reading the organization', permission: 'Organization.Read.All' }, signal });
  const users = await ctx.client.json<{ value?: GraphUser[] }>({ url: '/users?$select=id,displayName,mail,userPrincipalName&$top=1', mailbox: 'tenant', patient: true, site: { doing: 'reading the tenant\'s users', permission: 'User.Read.All' }, signal });
  const first = users.value?.[0];
  if (first) {
    try {
      await ctx.client.json({ url: `${userPath(first)}/mailboxSettings`, mailbox: bucketOf(first), patient: true, expect: [404], site: { doing: 'reading mailbox settings', permission: 'MailboxSettings.Read' }, signal });
    } catch (error) {
      // A first user without a mailbox proves nothing wrong with the connection.
      if (!(error instanceof GraphHttpError)) throw error;
    }
  }
  const org = orgs.value?.[0];
  const domain = org?.verifiedDomains?.find((d) => d.isDefault)?.name ?? org?.verifiedDomains?.[0]?.name;
  const name = [org?.displayName, domain ? `(${domain})` : ''].filter(Boolean).join(' ') || ctx.settings.tenantId;
  return { ok: true, summary: `Signed in to Microsoft 365 tenant ${name} as application ${ctx.settings.clientId}; users and mailboxes are readable.`, problems: [] };
}

/** A password Entra ID accepts (16 characters, all four classes); never logged, stored or returned. */
export function strongPassword(): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#$%^&*-_=+?'];
  const chars = classes.map((c) => c[randomInt(c.length)]!);
  const all = classes.join('');
  while (chars.length < 16) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

export async function createMailbox(ctx: M365Context, spec: CreateMailboxSpec, signal?: AbortSignal): Promise<MailboxRef> {
  const address = spec.address.trim().toLowerCase();
  if (!spec.skuId) throw new AppError('BAD_INPUT', `Choose a license for ${address}: Microsoft 365 creates the mailbox only once a license with Exchange Online is assigned.`, { details: { field: 'skuId' } });
  // A license without seats would leave a user without a mailbox behind: check before creating anything.
  const sku = (await listLicenseSkus(ctx, signal)).find((s) => s.skuId === spec.skuId);
  if (!sku) throw new AppError('BAD_INPUT', `The license ${spec.skuId} is not among the tenant's subscriptions: pick another one for ${address}.`, { details: { field: 'skuId' } });
  if (sku.available < 1) throw new AppError('BAD_INPUT', `No ${sku.name} license is left for ${address}: free or buy a seat in the Microsoft 365 admin center, or pick another license, then run retry.`, { details: { field: 'skuId' } });
  const usageLocation = (spec.usageLocation ?? 'US').toUpperCase();
  const site = { doing: `creating the user ${address}`, permission: 'User.ReadWrite.All' as const };
  let user: GraphUser;
  try {
    user = await ctx.client.json<GraphUser>({
      method: 'POST', url: '/users', mailbox: 'tenant', patient: true, expect: [400], site, signal,
      body: {
        accountEnabled: true, displayName: spec.displayName || address.split('@')[0], mailNickname: address.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, ''),
        userPrincipalName: address, usageLocation, passwordProfile: { password: strongPassword(), forceChangePasswordNextSignIn: true },
      },
    });
  } catch (error) {
    if (!(error instanceof GraphHttpError)) throw error;
    const exists = /already exists/i.test(error.graphMessage);
    // Our own earlier attempt created it and died (maybe before the license): finish that user instead of refusing.
    if (exists && spec.adopt) return adopt(ctx, address, spec.skuId, signal);
    throw new AppError(exists ? 'CONFLICT' : 'BAD_INPUT', exists
      ? `A user ${address} already exists in the tenant: map to it instead of creating it.`
      : `Microsoft 365 refused to create ${address}: ${error.graphMessage.slice(0, 200)}`);
  }
  await assignLicense(ctx, user, address, spec.skuId, signal);
  return { id: user.id, address, displayName: user.displayName ?? address, kind: 'user' };
}

async function assignLicense(ctx: M365Context, user: Pick<GraphUser, 'id'>, address: string, skuId: string, signal?: AbortSignal): Promise<void> {
  await ctx.client.json({
    method: 'POST', url: `${userPath(user)}/assignLicense`, mailbox: 'tenant', patient: true,
    site: { doing: `assigning a license to ${address}`, permission: 'User.ReadWrite.All' }, signal,
    body: { addLicenses: [{ skuId, disabledPlans: [] }], removeLicenses: [] },
  });
}

/** The user an earlier attempt created: assigned the license it may still lack, so its mailbox gets provisioned. */
async function adopt(ctx: M365Context, address: string, skuId: string, signal?: AbortSignal): Promise<MailboxRef> {
  const user = await ctx.client.json<GraphUser & { assignedLicenses?: { skuId: string }[] }>({
    url: `${userPath({ id: address })}?$select=id,displayName,assignedLicenses`, mailbox: 'tenant', patient: true,
    site: { doing: `reading the user ${address}`, permission: 'User.ReadWrite.All' }, signal,
  });
  if (!(user.assignedLicenses ?? []).some((l) => l.skuId === skuId)) await assignLicense(ctx, user, address, skuId, signal);
  return { id: user.id, address, displayName: user.displayName ?? address, kind: 'user' };
}

export async function mailboxReady(ctx: M365Context, mailbox: MailboxRef, signal?: AbortSignal): Promise<boolean> {
  try {
    await ctx.client.json({ url: `${userPath(mailbox)}/mailboxSettings`, mailbox: bucketOf(mailbox), patient: true, expect: [404], site: { doing: `checking the mailbox of ${mailbox.address}`, permission: 'MailboxSettings.Read' }, signal });
    return true;
  } catch (error) {
    if (error instanceof GraphHttpError) return false;
    throw error;
  }
}

export async function listLicenseSkus(ctx: M365Context, signal?: AbortSignal): Promise<LicenseSku[]> {
  const answer = await ctx.client.json<{ value: { skuId: string; skuPartNumber: string; capabilityStatus?: string; prepaidUnits?: { enabled?: number }; consumedUnits?: number }[] }>({
    url: '/subscribedSkus', mailbox: 'tenant', patient: true, site: { doing: 'reading the tenant\'s licenses', permission: 'Organization.Read.All' }, signal,
  });
  return (answer.value ?? []).filter((s) => (s.capabilityStatus ?? 'Enabled') === 'Enabled')
    .map((s) => ({ skuId: s.skuId, name: s.skuPartNumber, available: Math.max(0, (s.prepaidUnits?.enabled ?? 0) - (s.consumedUnits ?? 0)) }));
}
