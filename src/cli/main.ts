/**
 * The operator CLI: `npm run cli -- <command>`. It reads the same store as the server
 * (DATABASE_URL, else the PGlite directory MAILFERRY_DATA_DIR) and acts as an admin of any org.
 */
import { AppError, toAppError } from '../errors.js';
import { parseEnv } from '../env.js';
import { ROLES, openOperator, type Operator, type Role } from '../engine/index.js';
import { parseArgs, requireFlag, type CliArgs } from './cli-args.js';

const USAGE = `Usage: npm run cli -- <command> [--json]
  orgs list
  roles list --org <org>
  roles add --org <org> --user <user id> --role <${ROLES.join('|')}>
  roles remove --org <org> --user <user id> --role <role>
  projects list --org <org>`;

function role(args: CliArgs): Role {
  const value = requireFlag(args, 'role') as Role;
  if (!ROLES.includes(value)) throw new AppError('BAD_INPUT', `"${value}" is not a role; roles are ${ROLES.join(', ')}.`);
  return value;
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

async function run(op: Operator, args: CliArgs): Promise<{ data: unknown; text: string }> {
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
    default:
      throw new AppError('BAD_INPUT', command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
  }
}

async function main(argv: string[]): Promise<number> {
  let op: Operator | undefined;
  try {
    const args = parseArgs(argv);
    if (args.words.length === 0) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const env = parseEnv();
    op = await openOperator({ databaseUrl: env.DATABASE_URL, dataDir: env.MAILFERRY_DATA_DIR });
    const result = await run(op, args);
    process.stdout.write(`${args.json ? JSON.stringify(result.data, null, 2) : result.text}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${toAppError(error).userMessage}\n`);
    return 1;
  } finally {
    await op?.close().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
