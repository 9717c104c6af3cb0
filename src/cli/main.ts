/**
 * The operator CLI: `npm run cli -- <command>`. It reads the same store as the server
 * (DATABASE_URL, else the PGlite directory MAILFERRY_DATA_DIR) and acts as an admin of any org.
 * Exit codes: 0 success, 1 user error (one sentence on stderr), 2 a run finished with failures.
 */
import { AppError, toAppError } from '../errors.js';
import { parseEnv } from '../env.js';
// Values come from api.ts (no dependencies) and the engine loads lazily: a typo is answered at once.
import { ROLES } from '../engine/api.js';
import type { Operator, Role } from '../engine/index.js';
import { parseArgs, requireFlag, type CliArgs } from './cli-args.js';
import type { CommandResult, ProjectCommand } from './command-result.js';
import { URL_HELP } from './connection-url.js';
import { CREDITS_USAGE, creditsCommand } from './credits-commands.js';
import { createCommand, orgOf } from './project-create.js';
import { matchCommand, statusCommand, verifyCommand } from './project-reads.js';
import { launchCommand, scanCommand } from './project-runs.js';
import { table } from './project-format.js';

const USAGE = `Usage: npm run cli -- <command> [--json]
  orgs list
  roles list --org <org>
  roles add --org <org> --user <user id> --role <${ROLES.join('|')}>
  roles remove --org <org> --user <user id> --role <role>
  projects list --org <org>
${CREDITS_USAGE}

  project create --name <name> --source <url> --destination <url> [--mailboxes <csv>] [--org <org>]
  project scan <name> [--wait]
  project match <name>
  project launch <name> --mode full|delta|structure|retry [--wait] [--approve] [--exclude mail,calendars,contacts] [--from <date>] [--to <date>] [--usage-location DE --sku <skuId>]
  project status <name>
  project verify <name> [--run <run id>]

Project commands take --org <org> (default: local; created when first used) and act as an admin
of it, audited as cli:<os user>. Only \`project create\` and \`local\` make a new org; elsewhere an
unknown --org is refused with the list of known orgs. A full run that needs credits waits for an
approver in chat; --approve approves its hold as the operator (the CLI operator may approve the
holds it launches). URLs:
${URL_HELP}
--mailboxes: a CSV with the header source_address,source_password,destination_address,destination_password
  (required for an IMAP side; passwords are stored encrypted and never printed). Its pairs become the
  mapping after the first scan (\`scan --wait\`, \`match\` or \`launch\` apply them to mappings nobody
  has changed since).
--wait: runs the work in this process too (no server or worker needed) and shows progress: a bar on
  a terminal, a line every 5 s otherwise; with --json, one JSON document at the end.
Exit codes: 0 success, 1 a user error (one sentence on stderr), 2 a run finished with failures.`;

const PROJECT_COMMANDS: Record<string, ProjectCommand> = {
  create: createCommand,
  scan: scanCommand,
  match: matchCommand,
  launch: launchCommand,
  status: statusCommand,
  verify: verifyCommand,
};

function role(args: CliArgs): Role {
  const value = requireFlag(args, 'role') as Role;
  if (!ROLES.includes(value)) throw new AppError('BAD_INPUT', `"${value}" is not a role; roles are ${ROLES.join(', ')}.`);
  return value;
}

async function run(op: Operator, args: CliArgs): Promise<CommandResult> {
  const command = args.words.join(' ');
  switch (command) {
    case 'orgs list': {
      const orgs = await op.listOrgs();
      return { data: orgs, text: table(orgs as unknown as Record<string, unknown>[], ['id', 'name', 'projects', 'roles']) };
    }
    case 'roles list':
    case 'roles add':
    case 'roles remove': {
      const org = requireFlag(args, 'org');
      const entries = command === 'roles list' ? await op.listRoles(org)
        : command === 'roles add' ? await op.grantRole(org, requireFlag(args, 'user'), role(args))
          : await op.revokeRole(org, requireFlag(args, 'user'), role(args));
      return { data: entries, text: table(entries as unknown as Record<string, unknown>[], ['userId', 'role', 'grantedBy']) };
    }
    case 'projects list': {
      const projects = await op.listProjects(requireFlag(args, 'org'));
      const rows = projects.map((p) => ({ name: p.name, id: p.id, route: `${p.sourcePlatform} → ${p.destinationPlatform}`, stage: p.stage, channel: p.channelKey }));
      return { data: projects, text: table(rows, ['name', 'id', 'route', 'stage', 'channel']) };
    }
    default: {
      const credits = await creditsCommand(op, command, args);
      if (credits) return credits;
      throw new AppError('BAD_INPUT', command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
    }
  }
}

/** A mistyped --org must not create an empty org: every project command but create needs a known one. */
async function requireKnownOrg(args: CliArgs): Promise<void> {
  const org = orgOf(args);
  if (args.words[1] === 'create' || org === 'local') return;
  const env = parseEnv();
  const { openOperator } = await import('../engine/index.js');
  const op = await openOperator({ databaseUrl: env.DATABASE_URL, dataDir: env.MAILFERRY_DATA_DIR });
  try {
    await op.requireOrg(org);
  } finally {
    await op.close().catch(() => undefined);
  }
}

/** `project <verb>` needs the whole engine (queues, connectors, the key); the rest only the store. */
async function runProject(args: CliArgs): Promise<CommandResult> {
  const command = PROJECT_COMMANDS[args.words[1] ?? ''];
  if (!command) throw new AppError('BAD_INPUT', `Unknown command "${args.words.join(' ')}".\n${USAGE}`);
  const step = command(args);
  await requireKnownOrg(args);
  const { openSession } = await import('./cli-session.js');
  const session = await openSession(parseEnv());
  try {
    return await step(session);
  } finally {
    await session.close();
  }
}

async function runOperator(args: CliArgs): Promise<CommandResult> {
  const env = parseEnv();
  const { openOperator } = await import('../engine/index.js');
  const op = await openOperator({ databaseUrl: env.DATABASE_URL, dataDir: env.MAILFERRY_DATA_DIR });
  try {
    return await run(op, args);
  } finally {
    await op.close().catch(() => undefined);
  }
}

function sentenceOf(error: unknown): string {
  const e = toAppError(error);
  const problems = Array.isArray(e.details?.problems) ? (e.details.problems as { address?: string; message: string }[]) : [];
  const lines = problems.slice(0, 10).map((p) => `  ${p.address ? `${p.address}: ` : ''}${p.message}`);
  if (e.code === 'INTERNAL' && process.env.LOG_LEVEL === 'debug') lines.push(String((error as Error)?.stack ?? error));
  return [e.userMessage, ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.words.length === 0 || args.words[0] === 'help' || args.switches.has('help')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const result = args.words[0] === 'project' ? await runProject(args) : await runOperator(args);
    process.stdout.write(`${args.json ? JSON.stringify(result.data, null, 2) : result.text}\n`);
    return result.exitCode ?? 0;
  } catch (error) {
    process.stderr.write(`${sentenceOf(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// BullMQ and ioredis may keep timers after close; the answer is out, so the process ends here.
process.exit();
