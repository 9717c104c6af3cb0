import { AppError } from '../errors.js';
import type { ProjectInfo } from '../engine/index.js';
import type { CliArgs } from './cli-args.js';
import { requireFlag } from './cli-args.js';
import type { CliSession } from './cli-session.js';
import { settingsFromUrl } from './connection-url.js';
import { readMailboxCsv, type MailboxPair } from './mailbox-csv.js';
import { PAIRS_ACTION } from './mailbox-pairs.js';
import type { ProjectCommand } from './command-result.js';

export function orgOf(args: CliArgs): string {
  return args.flags.org?.trim() || 'local';
}

/** A project that exists without its connections (an earlier create whose credentials failed) may be completed. */
async function existingToComplete(session: CliSession, org: string, name: string, platforms: [string, string]): Promise<ProjectInfo | null> {
  const projects = await session.engine.listProjects(session.actor(org));
  const found = projects.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!found) return null;
  if (found.stage !== 'needs_connections' || found.sourcePlatform !== platforms[0] || found.destinationPlatform !== platforms[1]) {
    throw new AppError('CONFLICT', `A project named "${found.name}" already exists in org ${org}; pick another name or use \`project status ${found.name}\`.`);
  }
  return found;
}

/**
 * `project create`: checks both URLs and the CSV before anything is stored, then creates the org (if
 * new) and the project, and saves both connections (each validated against its server first).
 */
export const createCommand: ProjectCommand = (args) => {
  const org = orgOf(args);
  const name = requireFlag(args, 'name');
  const csv = args.flags.mailboxes?.trim();
  const pairs: MailboxPair[] | null = csv ? readMailboxCsv(csv) : null;
  const source = settingsFromUrl(requireFlag(args, 'source'), 'source', pairs);
  const destination = settingsFromUrl(requireFlag(args, 'destination'), 'destination', pairs);
  return async (session) => {
    const actor = session.actor(org);
    const project = await existingToComplete(session, org, name, [source.platform, destination.platform])
      ?? await session.engine.createProject(actor, { name, sourcePlatform: source.platform, destinationPlatform: destination.platform, channelKey: `cli:${org}` });
    for (const [side, settings] of [['source', source], ['destination', destination]] as const) {
      if (project.connections.some((c) => c.side === side && c.status === 'valid')) continue;
      await session.engine.saveConnection(actor, { project: project.id, side, settings });
    }
    if (pairs && (source.platform === 'imap' || destination.platform === 'imap')) {
      // Addresses only (never passwords): `scan --wait` and `match` apply them as the mapping once a scan exists.
      await session.engine.audit(actor, { action: PAIRS_ACTION, outcome: 'allowed', projectId: project.id,
        detail: { pairs: pairs.map((p) => ({ source: p.sourceAddress, destination: p.destinationAddress })) } });
    }
    const info = await session.engine.getProject(actor, project.id);
    const lines = [
      `Created project ${info.name} in org ${org} (${info.sourcePlatform} → ${info.destinationPlatform}).`,
      ...info.connections.map((c) => `  ${c.side.padEnd(11)} ${c.summary} (${c.status})`),
      pairs ? `  mapping     ${pairs.length} pair${pairs.length === 1 ? '' : 's'} from ${csv}, applied after the first scan` : '',
      `Next: npm run cli -- project scan ${info.name} --wait`,
    ].filter(Boolean);
    return { data: { project: info, pairs: pairs?.length ?? 0 }, text: lines.join('\n') };
  };
};
