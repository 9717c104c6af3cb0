import type { Command } from './types.js';
import { approvalsCommand } from './approvals.js';
import { creditsCommand } from './credits.js';
import { subscribeCommand } from './subscribe.js';
import { unsubscribeCommand } from './unsubscribe.js';
import { cancelCommand } from './cancel.js';
import { connectCommand } from './connect.js';
import { helpCommand } from './help.js';
import { launchCommand } from './launch.js';
import { logCommand } from './log.js';
import { matchCommand } from './match.js';
import { newCommand } from './new.js';
import { projectsCommand } from './projects.js';
import { rolesCommand } from './roles.js';
import { scanCommand } from './scan.js';
import { statusCommand } from './status.js';

/** Every chat command, in the order help lists them. Adding a command: one file, one line. */
export const commandList: readonly Command[] = [
  helpCommand,
  newCommand,
  projectsCommand,
  connectCommand,
  scanCommand,
  matchCommand,
  launchCommand,
  cancelCommand,
  statusCommand,
  logCommand,
  creditsCommand,
  approvalsCommand,
  subscribeCommand,
  unsubscribeCommand,
  rolesCommand,
];

export const commands: ReadonlyMap<string, Command> = new Map(commandList.map((c) => [c.name, c]));
