/**
 * Directory endpoints: organization (the validation probe), users (paged with $skiptoken), one user,
 * mailboxSettings.userPurpose, subscribedSkus, user creation with Entra's password policy, and
 * license assignment that provisions the mailbox after `provisioningDelayMs`.
 */
import { badRequest, graphError, json, parseJsonBody, select, type SimResponse } from './http.js';
import type { Route, RouteContext } from './router.js';
import { newMailbox } from './state.js';
import type { Json, SimUser } from './types.js';
import { randomUUID } from 'node:crypto';

export const directoryRoutes: Route[] = [
  { method: 'GET', scope: 'tenant', pattern: /^\/organization$/, handler: organization },
  { method: 'GET', scope: 'tenant', pattern: /^\/users$/, handler: listUsers },
  { method: 'POST', scope: 'tenant', pattern: /^\/users$/, handler: createUser },
  { method: 'GET', scope: 'tenant', pattern: /^\/users\/([^/]+)$/, handler: getUser },
  { method: 'POST', scope: 'tenant', pattern: /^\/users\/([^/]+)\/assignLicense$/, handler: assignLicense },
  { method: 'GET', scope: 'tenant', pattern: /^\/subscribedSkus$/, handler: subscribedSkus },
  { method: 'GET', scope: 'mailbox', pattern: /^\/mailboxSettings$/, handler: mailboxSettings },
];

export function renderUser(u: SimUser): Json {
  return {
    id: u.id,
    displayName: u.displayName,
    mail: u.readyAt !== null ? u.address : null,
    userPrincipalName: u.address,
    mailNickname: u.mailNickname,
    accountEnabled: u.accountEnabled,
    usageLocation: u.usageLocation,
    assignedLicenses: u.licensed.map((skuId) => ({ skuId, disabledPlans: [] })),
  };
}

function organization(c: RouteContext): SimResponse {
  const t = c.tenant;
  return json(200, { value: [{ id: t.id, displayName: t.displayName, verifiedDomains: [{ name: t.domain, isDefault: true, isInitial: false, type: 'Managed' }] }] });
}

function listUsers(c: RouteContext): SimResponse {
  const top = Math.max(1, Math.min(999, Number(c.req.query.get('$top') ?? 100) || 100));
  const skip = Number(c.req.query.get('$skiptoken') ? Buffer.from(c.req.query.get('$skiptoken')!, 'base64url').toString() : 0) || 0;
  const users = [...c.tenant.users.values()];
  const body: Json = { value: users.slice(skip, skip + top).map((u) => select(renderUser(u), c.req.query)) };
  if (skip + top < users.length) {
    const next = new URLSearchParams(c.req.query);
    next.set('$top', String(top));
    next.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    body['@odata.nextLink'] = `${c.state.origin}/v1.0/users?${next.toString()}`;
  }
  return json(200, body);
}

function getUser(c: RouteContext): SimResponse {
  const u = c.state.user(c.tenant, c.params[0]!);
  if (!u) return graphError(404, 'Request_ResourceNotFound', `Resource '${decodeURIComponent(c.params[0]!)}' does not exist or one of its queried reference-property objects are not present.`);
  return json(200, select(renderUser(u), c.req.query));
}

function mailboxSettings(c: RouteContext): SimResponse {
  return json(200, {
    userPurpose: c.user.purpose,
    timeZone: 'UTC',
    language: { locale: 'en-US', displayName: 'English (United States)' },
    dateFormat: 'M/d/yyyy',
    timeFormat: 'h:mm tt',
  });
}

function subscribedSkus(c: RouteContext): SimResponse {
  return json(200, {
    value: c.tenant.skus.map((s) => ({
      skuId: s.skuId,
      skuPartNumber: s.skuPartNumber,
      capabilityStatus: 'Enabled',
      appliesTo: 'User',
      prepaidUnits: { enabled: s.enabled, suspended: 0, warning: 0 },
      consumedUnits: s.consumed,
    })),
  });
}

/** Entra's default policy: at least 8 characters and 3 of the 4 character classes. */
function strongPassword(p: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(p)).length;
  return p.length >= 8 && classes >= 3;
}

function createUser(c: RouteContext): SimResponse {
  const b = parseJsonBody(c.req);
  const upn = typeof b?.['userPrincipalName'] === 'string' ? b['userPrincipalName'] : '';
  const displayName = typeof b?.['displayName'] === 'string' ? b['displayName'] : '';
  const profile = (b?.['passwordProfile'] ?? {}) as { password?: string };
  if (!b || !upn.includes('@') || !displayName || typeof b['mailNickname'] !== 'string') {
    return badRequest('Invalid value specified for property of resource User.', 'Request_BadRequest');
  }
  if (!strongPassword(profile.password ?? '')) {
    return badRequest('The specified password does not comply with password complexity requirements. Please provide a different password.', 'Request_BadRequest');
  }
  if (c.state.user(c.tenant, upn)) {
    return badRequest('Another object with the same value for property userPrincipalName already exists.', 'Request_BadRequest');
  }
  const u: SimUser = {
    id: randomUUID(),
    address: upn,
    displayName,
    purpose: 'user',
    mailNickname: b['mailNickname'],
    accountEnabled: b['accountEnabled'] !== false,
    usageLocation: typeof b['usageLocation'] === 'string' ? b['usageLocation'] : null,
    licensed: [],
    readyAt: null,
    mailbox: newMailbox(),
  };
  c.tenant.users.set(u.id, u);
  c.state.stats.usersCreated++;
  return json(201, renderUser(u));
}

function assignLicense(c: RouteContext): SimResponse {
  const u = c.state.user(c.tenant, c.params[0]!);
  if (!u) return graphError(404, 'Request_ResourceNotFound', `Resource '${decodeURIComponent(c.params[0]!)}' does not exist.`);
  const b = parseJsonBody(c.req);
  const add = Array.isArray(b?.['addLicenses']) ? (b['addLicenses'] as { skuId?: string }[]) : [];
  if (!u.usageLocation && add.length > 0) {
    return badRequest('License assignment failed because service plans require a usage location. Set the usageLocation of the user first.', 'Request_BadRequest');
  }
  for (const a of add) {
    const sku = c.tenant.skus.find((s) => s.skuId === a.skuId);
    if (!sku) return badRequest(`License ${a.skuId} does not correspond to a valid company License.`, 'Request_BadRequest');
    if (u.licensed.includes(sku.skuId)) continue;
    if (sku.consumed >= sku.enabled) return badRequest(`Subscription ${sku.skuPartNumber} does not have any available licenses.`, 'Request_BadRequest');
    sku.consumed++;
    u.licensed.push(sku.skuId);
  }
  if (u.licensed.length > 0 && u.readyAt === null) u.readyAt = Date.now() + (c.state.options.provisioningDelayMs ?? 0);
  return json(200, renderUser(u));
}
