/**
 * The Microsoft 365 connector over Microsoft Graph (app-only, client credentials). msal-node signs
 * in; our own thin HTTP client (m365-http.ts) calls Graph through a per-mailbox pacer that keeps
 * below Microsoft's published limits (4 in flight, 10,000 requests per 10 min, 150 MB of uploads per
 * 5 min per mailbox; ConnectorEnv.graphLimits overrides them for a scaled-down simulator). Vendor
 * types never leave this folder; failures are AppErrors (THROTTLED carries the server's Retry-After).
 */
import { AppError } from '../../../errors.js';
import type { Connector, ConnectorEnv, ConnectorLimits, FolderInfo, MailboxRef } from '../types.js';
import { createTokenProvider, DEFAULT_AUTHORITY_HOST, type M365Settings } from './m365-auth.js';
import type { M365Context } from './m365-context.js';
import { ensureFolder } from './m365-folder-ensure.js';
import { listFolders, mailboxStats } from './m365-folders.js';
import { GraphClient } from './m365-http.js';
import { createMailbox, listLicenseSkus, listMailboxes, mailboxReady, validate } from './m365-mailboxes.js';
import { probeMail } from './m365-mail-probe.js';
import { listMailChanges, readMail, updateMailFlags, writeMail } from './m365-mail.js';
import { sharedPacer } from './m365-pacer.js';
import { readChunk, readOneCached } from './m365-read-chunk.js';
import { listPimChanges, probePim, readPim, writePim } from './m365-pim.js';

export const DEFAULT_GRAPH_BASE = 'https://graph.microsoft.com';

/** Microsoft's published Outlook limits per app and mailbox (reference §0, §1.5). */
export const GRAPH_LIMITS: ConnectorLimits = {
  concurrencyPerMailbox: 4,
  requestsPerWindow: 10_000,
  windowMs: 600_000,
  uploadBytesPerWindow: 150 * 1024 * 1024,
  maxItemBytes: 150 * 1024 * 1024,
};

export function graphLimits(env: ConnectorEnv): ConnectorLimits {
  return { ...GRAPH_LIMITS, ...env.graphLimits };
}

export function createM365Connector(settings: M365Settings, env: ConnectorEnv = {}): Connector {
  const limits = graphLimits(env);
  const baseUrl = env.graphBaseUrl ?? DEFAULT_GRAPH_BASE;
  const pacer = sharedPacer({ baseUrl, tenantId: settings.tenantId, clientId: settings.clientId }, {
    concurrency: limits.concurrencyPerMailbox,
    requestsPerWindow: limits.requestsPerWindow,
    windowMs: limits.windowMs,
    uploadBytesPerWindow: limits.uploadBytesPerWindow ?? GRAPH_LIMITS.uploadBytesPerWindow!,
    // Microsoft's upload window is half its request window (5 min vs 10 min); scaled the same way.
    uploadWindowMs: limits.windowMs / 2,
  });
  let tokens: ReturnType<typeof createTokenProvider> | undefined;
  const client: GraphClient = new GraphClient(baseUrl, (refresh) => {
    tokens ??= createTokenProvider(settings, env.authorityHost ?? DEFAULT_AUTHORITY_HOST, env.caCertPem);
    return tokens.token(refresh);
  }, pacer, env.caCertPem);
  const ctx: M365Context = { client, settings, listed: new Map(), folderCounts: new Map(), children: new Map(), readTurns: new Map(), readDone: new Map() };
  const isMail = (folder: FolderInfo) => folder.itemType === 'mail';
  const read = (mailbox: MailboxRef, folder: FolderInfo, key: string, signal?: AbortSignal) =>
    (isMail(folder) ? readMail(ctx, mailbox, folder, key, signal) : readPim(ctx, mailbox, folder, key, signal));
  const guard = (mailbox: MailboxRef, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    if (!mailbox.id) throw new AppError('NOT_FOUND', `The mailbox ${mailbox.address} has no Microsoft 365 id. Scan again.`);
  };

  return {
    platform: 'm365',
    capabilities: { enumerateMailboxes: true, itemTypes: ['mail', 'event', 'contact'], delta: true, createMailboxes: true },
    limits,
    validate: (signal) => validate(ctx, signal),
    listMailboxes: (page, signal) => listMailboxes(ctx, page, signal),
    mailboxStats: (mailbox, signal) => mailboxStats(ctx, mailbox, signal),
    // The types a run does not copy cost no requests (see listFolders).
    listFolders: (mailbox, options, signal) => listFolders(ctx, mailbox, options?.withStats ?? false, signal, options?.itemTypes),
    ensureFolder: (mailbox, path, role, itemType, signal) => ensureFolder(ctx, mailbox, path, role, itemType, signal),
    listChanges: (mailbox, folder, cursor, signal) => {
      guard(mailbox, signal);
      return isMail(folder) ? listMailChanges(ctx, mailbox, folder, cursor, signal) : listPimChanges(ctx, mailbox, folder, cursor, signal);
    },
    readItem: (mailbox, folder, key, signal) => readOneCached(ctx, read, mailbox, folder, key, signal),
    readItems: (mailbox, folder, keys, signal) => readChunk(ctx, read, limits.concurrencyPerMailbox, mailbox, folder, keys, signal),
    writeItem: (mailbox, folder, item, signal) => (isMail(folder) ? writeMail(ctx, mailbox, folder, item, signal) : writePim(ctx, mailbox, folder, item, signal)),
    probeItem: (mailbox, folder, item, signal) => (isMail(folder) ? probeMail(ctx, mailbox, folder, item, signal) : probePim(ctx, mailbox, folder, item, signal)),
    updateFlags: async (mailbox, folder, key, flags, signal) => {
      // Events and contacts carry no flags.
      if (isMail(folder)) await updateMailFlags(ctx, mailbox, folder, key, flags, signal);
    },
    createMailbox: (spec, signal) => createMailbox(ctx, spec, signal),
    mailboxReady: (mailbox, signal) => mailboxReady(ctx, mailbox, signal),
    listLicenseSkus: (signal) => listLicenseSkus(ctx, signal),
    close: async () => client.close(),
  };
}
