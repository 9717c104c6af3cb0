/**
 * Guided admin consent for Microsoft 365 (issue 5): the admin clicks a link to Microsoft's admin-consent
 * page for mailferry's multi-tenant app (M365_CLIENT_ID); Microsoft redirects to /consent/m365/callback
 * with the tenant; we check the state we signed, then save the connection through the normal path,
 * which acquires a token in that tenant first (nothing is saved when that fails).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, like, lt, sql } from 'drizzle-orm';
import { AppError } from '../../errors.js';
import type { Actor, ConnectionInfo, ProjectInfo, Side } from '../api.js';
import type { EngineContext } from '../context.js';
import { settings } from '../db/schema.js';
import { ADMIN_ONLY, authorize } from '../policies/roles.js';
import { saveConnection } from './connection-save.js';
import { describeConsentError } from './m365-consent-errors.js';
import { findProject } from './project-lookup.js';
import { getProject } from './project-read.js';

export const CONSENT_CALLBACK_PATH = '/consent/m365/callback';
const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
/** A consent link lasts an hour: long enough to find a Global Administrator, short enough not to linger in chat history. */
const STATE_TTL_MS = 60 * 60 * 1000;
const NONCE_PREFIX = 'm365consent:';
/** Right after consent Microsoft may need a moment before the new service principal gets tokens (AADSTS700016). */
const PROPAGATION_WAITS_MS = [2000, 5000];

/** Application permissions of mailferry's app, and why each is needed (the connect card lists them). */
export const M365_PERMISSIONS: readonly { name: string; why: string }[] = [
  { name: 'Mail.ReadWrite', why: 'read mail at the source and write it at the destination, with its folders, read state, flags and dates' },
  { name: 'Calendars.ReadWrite', why: 'copy calendars and events (written without attendees, so nobody is sent an invitation)' },
  { name: 'Contacts.ReadWrite', why: 'copy contacts and contact folders' },
  { name: 'MailboxSettings.Read', why: 'tell user, shared, room and equipment mailboxes apart, and see when a newly created mailbox is ready' },
  { name: 'User.ReadWrite.All', why: 'list the tenant’s mailboxes, and create the users of destinations flagged “create missing” (with their license)' },
  { name: 'Organization.Read.All', why: 'check the connection and list the tenant’s license SKUs for new users' },
];

interface ConsentState {
  /** Single-use nonce, stored in `settings` until used or expired. */
  n: string;
  orgId: string;
  projectId: string;
  projectName: string;
  side: Side;
  channelKey: string;
  userId: string;
  userName: string;
  platformAdmin: boolean;
  /** Epoch ms. */
  exp: number;
}

function stateKey(secretKey: string): Buffer {
  // A key of its own, derived from the secret key: a consent state can never pass for anything else we sign.
  return createHmac('sha256', Buffer.from(secretKey, 'base64')).update('mailferry m365 consent state').digest();
}

export function signState(secretKey: string, state: ConsentState): string {
  const body = Buffer.from(JSON.stringify(state)).toString('base64url');
  const mac = createHmac('sha256', stateKey(secretKey)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

const invalidLink = () => new AppError('BAD_INPUT', 'This consent link is not valid: it was changed or does not come from this mailferry. Nothing was saved; start again with `connect <project> source` (or destination) in chat.');

export function verifyState(secretKey: string, raw: string): ConsentState {
  const [body, mac, extra] = raw.split('.');
  if (!body || !mac || extra !== undefined) throw invalidLink();
  const expected = createHmac('sha256', stateKey(secretKey)).update(body).digest();
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidLink();
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ConsentState;
  } catch {
    throw invalidLink();
  }
}

function requireApp(ctx: EngineContext): { clientId: string; clientSecret: string; publicUrl: string } {
  const app = ctx.options.m365App;
  const publicUrl = ctx.options.publicUrl;
  const missing = [...(app?.clientId ? [] : ['M365_CLIENT_ID']), ...(app?.clientSecret ? [] : ['M365_CLIENT_SECRET']), ...(publicUrl ? [] : ['MAILFERRY_PUBLIC_URL'])];
  if (!app || !publicUrl || missing.length > 0) {
    throw new AppError('CONFIG', `Guided consent needs mailferry's own Microsoft 365 app, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set on the server. Ask your mailferry operator to set ${missing.join(', ')}, or connect with your own app registration (tenant id, client id and secret) below.`, { details: { missing, permissions: M365_PERMISSIONS.map((p) => ({ ...p })) } });
  }
  return { clientId: app.clientId, clientSecret: app.clientSecret, publicUrl: publicUrl.replace(/\/+$/, '') };
}

export function consentRedirectUri(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${CONSENT_CALLBACK_PATH}`;
}

export async function m365ConsentUrl(ctx: EngineContext, actor: Actor, props: { project: string; side: Side }): Promise<{ url: string; permissions: { name: string; why: string }[] }> {
  const project = await findProject(ctx.db, actor.orgId, props.project);
  await authorize(ctx, actor, ADMIN_ONLY, 'connection.consent', project.id);
  const platform = props.side === 'source' ? project.sourcePlatform : project.destinationPlatform;
  if (platform !== 'm365') throw new AppError('BAD_INPUT', `The ${props.side} of ${project.name} is ${platform}, not Microsoft 365: admin consent does not apply.`);
  const app = requireApp(ctx);
  const now = ctx.now().getTime();
  const nonce = randomBytes(18).toString('base64url');
  await ctx.db.delete(settings).where(and(like(settings.key, `${NONCE_PREFIX}%`), lt(sql`(${settings.value}->>'exp')::bigint`, now)));
  await ctx.db.insert(settings).values({ key: `${NONCE_PREFIX}${nonce}`, value: { exp: now + STATE_TTL_MS } });
  const state = signState(ctx.secretKey, {
    n: nonce, orgId: actor.orgId, projectId: project.id, projectName: project.name, side: props.side, channelKey: project.channelKey,
    userId: actor.userId, userName: actor.userName, platformAdmin: actor.platformAdmin, exp: now + STATE_TTL_MS,
  });
  const authorityHost = (ctx.options.connectorEnv?.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/+$/, '');
  // `organizations`, not `common`: application permissions need a work tenant's admin (reference §1.6).
  const query = new URLSearchParams({ client_id: app.clientId, scope: 'https://graph.microsoft.com/.default', redirect_uri: consentRedirectUri(app.publicUrl), state });
  return { url: `${authorityHost}/organizations/v2.0/adminconsent?${query.toString()}`, permissions: M365_PERMISSIONS.map((p) => ({ ...p })) };
}

export interface ConsentCallback { state: string; tenant?: string; adminConsent?: string; error?: string; errorDescription?: string }
export interface ConsentOutcome { project: ProjectInfo; side: Side; connection: ConnectionInfo; channelKey: string }

/** The nonce is deleted as it is checked: of two uses of one link, exactly one gets it. */
async function consumeNonce(ctx: EngineContext, state: ConsentState): Promise<void> {
  if (state.exp < ctx.now().getTime()) {
    await ctx.db.delete(settings).where(eq(settings.key, `${NONCE_PREFIX}${state.n}`));
    throw new AppError('BAD_INPUT', 'This consent link expired (links last one hour). Nothing was saved; ask for a new one with `connect <project> source` (or destination) in chat.');
  }
  const used = await ctx.db.delete(settings).where(eq(settings.key, `${NONCE_PREFIX}${state.n}`)).returning();
  // An old link opened again is the browser's business only: no details, so the channel is not told.
  if (used.length === 0) throw new AppError('BAD_INPUT', 'This consent link was already used. Nothing more was saved; if the connection is not there, ask for a new link with `connect <project> source` (or destination) in chat.');
}

function where(state: ConsentState): Record<string, unknown> {
  return { projectId: state.projectId, projectName: state.projectName, side: state.side, channelKey: state.channelKey };
}

const TENANT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[a-z0-9.-]+\.[a-z]{2,}$/i;

export async function completeM365Consent(ctx: EngineContext, props: ConsentCallback): Promise<ConsentOutcome> {
  const app = requireApp(ctx);
  const state = verifyState(ctx.secretKey, props.state);
  await consumeNonce(ctx, state);
  const actor: Actor = { orgId: state.orgId, userId: state.userId, userName: state.userName, platformAdmin: state.platformAdmin };
  if (props.error || props.adminConsent?.toLowerCase() !== 'true') {
    throw new AppError('AUTH_FAILED', describeConsentError(props.error ?? 'consent_not_granted', props.errorDescription, consentRedirectUri(app.publicUrl), app.clientId), { details: where(state) });
  }
  const tenantId = props.tenant?.trim() ?? '';
  if (!TENANT.test(tenantId)) throw new AppError('BAD_INPUT', 'Microsoft did not say which tenant consented. Nothing was saved; click “Grant admin consent” again.', { details: where(state) });
  const settingsToSave = { platform: 'm365' as const, tenantId, clientId: app.clientId, clientSecret: app.clientSecret };
  let connection: ConnectionInfo | undefined;
  for (let attempt = 0; !connection; attempt++) {
    try {
      connection = await saveConnection(ctx, actor, { project: state.projectId, side: state.side, settings: settingsToSave });
    } catch (error) {
      const wait = PROPAGATION_WAITS_MS[attempt];
      if (AppError.is(error) && wait !== undefined && /AADSTS700016/.test(error.userMessage)) {
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      if (AppError.is(error)) throw new AppError(error.code, error.userMessage, { details: { ...error.details, ...where(state) } });
      throw error;
    }
  }
  const project = await getProject(ctx, actor, { project: state.projectId });
  return { project, side: state.side, connection, channelKey: state.channelKey };
}
