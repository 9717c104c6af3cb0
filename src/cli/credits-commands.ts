/**
 * `credits grant|show|policy` and `ledger export`: the operator's side of DESIGN §5. They need the
 * store only (no Redis); a grant made here reaches chat cards the next time they are read.
 */
import { AppError } from '../errors.js';
import type { CreditPolicy, CreditsInfo, Operator } from '../engine/index.js';
import { requireFlag, type CliArgs } from './cli-args.js';
import type { CommandResult } from './command-result.js';

export const CREDITS_USAGE = `  credits show --org <org>
  credits grant --org <org> --amount <n> --reason <text>
  credits policy --org <org> [--self-approval true|false] [--per-mailbox <n>] [--public-folders-cost <n>]
                 [--license-months <n>] [--hold-ttl-hours <n>] [--resource-free true|false]
  ledger export --org <org> --csv`;

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new AppError('BAD_INPUT', `--${flag} takes a whole number, not "${value}".`);
  return Number(value);
}

function yesNo(flag: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes') return true;
  if (v === 'false' || v === 'no') return false;
  throw new AppError('BAD_INPUT', `--${flag} takes true or false, not "${value}".`);
}

const NUMBER_FLAGS = { 'per-mailbox': 'perMailbox', 'public-folders-cost': 'publicFoldersCost', 'license-months': 'licenseMonths', 'hold-ttl-hours': 'holdTtlHours' } as const;
const BOOLEAN_FLAGS = { 'self-approval': 'selfApproval', 'resource-free': 'resourceFree' } as const;

function policyChange(args: CliArgs): Partial<CreditPolicy> {
  const change: Partial<CreditPolicy> = {};
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) if (args.flags[flag] !== undefined) change[key] = wholeNumber(flag, args.flags[flag]);
  for (const [flag, key] of Object.entries(BOOLEAN_FLAGS)) if (args.flags[flag] !== undefined) change[key] = yesNo(flag, args.flags[flag]);
  return change;
}

export function formatCredits(info: CreditsInfo): string {
  const p = info.policy;
  const lines = [
    `Credits of ${info.orgId}: balance ${info.balance}, available ${info.available}, held ${info.held}, consumed ${info.consumed} (all time).`,
    `Licenses valid now: ${info.licenses}; expiring within 30 days: ${info.expiringSoon.total}. Holds waiting for approval: ${info.pendingHolds}.`,
    `Policy: ${p.perMailbox} per mailbox, public folders ${p.publicFoldersCost} once per project, resources ${p.resourceFree ? 'free' : 'charged'}, `
      + `licenses ${p.licenseMonths} months, holds wait ${p.holdTtlHours} h, self-approval ${p.selfApproval ? 'allowed' : 'not allowed'}.`,
  ];
  if (info.recent.length) {
    lines.push('Latest entries:');
    for (const e of info.recent) lines.push(`  ${e.at.slice(0, 16).replace('T', ' ')}  ${e.kind.padEnd(7)} ${String(e.amount).padStart(6)}  held ${String(e.heldDelta).padStart(5)}  → ${e.balanceAfter}  ${e.reason}`);
  }
  return lines.join('\n');
}

/** Runs a credits or ledger command; null when `command` is not one of them. */
export async function creditsCommand(op: Operator, command: string, args: CliArgs): Promise<CommandResult | null> {
  switch (command) {
    case 'credits show': {
      const info = await op.credits(requireFlag(args, 'org'));
      return { data: info, text: formatCredits(info) };
    }
    case 'credits grant': {
      const org = requireFlag(args, 'org');
      const amount = wholeNumber('amount', requireFlag(args, 'amount'));
      const info = await op.grantCredits(org, amount, requireFlag(args, 'reason'));
      return { data: info, text: `Granted ${amount} credit${amount === 1 ? '' : 's'} to ${org}.\n${formatCredits(info)}` };
    }
    case 'credits policy': {
      const org = requireFlag(args, 'org');
      const change = policyChange(args);
      if (Object.keys(change).length > 0) await op.setCreditPolicy(org, change);
      const info = await op.credits(org);
      return { data: info.policy, text: formatCredits(info).split('\n')[2] ?? '' };
    }
    case 'ledger export': {
      const org = requireFlag(args, 'org');
      if (!args.switches.has('csv')) throw new AppError('BAD_INPUT', 'Say the format: `ledger export --org <org> --csv`.');
      const csv = await op.exportLedgerCsv(org);
      return { data: csv, text: csv.replace(/\n$/, '') };
    }
    default:
      return null;
  }
}
