import type { ActionRegistry } from './types.js';
import { connectOpenAction } from './connect-open.js';
import { connectSaveAction } from './connect-save.js';
import { helpAction } from './help.js';
import { holdApproveAction } from './hold-approve.js';
import { holdOpenAction } from './hold-open.js';
import { holdPageAction } from './hold-page.js';
import { holdRefreshAction } from './hold-refresh.js';
import { holdRejectAction } from './hold-reject.js';
import { mailboxLogAction } from './mailbox-log.js';
import { mappingCreateMissingAction } from './mapping-create-missing.js';
import { mappingExcludeAction } from './mapping-exclude.js';
import { mappingIncludeAction } from './mapping-include.js';
import { mappingOverrideAction } from './mapping-override.js';
import { matchExportAction } from './match-export.js';
import { matchImportOpenAction } from './match-import-open.js';
import { matchImportAction } from './match-import.js';
import { matchOpenAction } from './match-open.js';
import { projectCreateAction } from './project-create.js';
import { projectNewAction } from './project-new.js';
import { projectShowAction } from './project-show.js';
import { runCancelAction } from './run-cancel.js';
import { runLaunchAction } from './run-launch.js';
import { runCreateMissingAction } from './run-create-missing-m365.js';
import { scanStartAction } from './scan-start.js';

/** One handler per verb of cards/verbs.ts; the type makes a missing one a compile error. */
export const actions: ActionRegistry = {
  help: helpAction,
  'project.new': projectNewAction,
  'project.create': projectCreateAction,
  'project.show': projectShowAction,
  'connect.open': connectOpenAction,
  'connect.save': connectSaveAction,
  'scan.start': scanStartAction,
  'match.open': matchOpenAction,
  'mapping.override': mappingOverrideAction,
  'mapping.exclude': mappingExcludeAction,
  'mapping.include': mappingIncludeAction,
  'mapping.create_missing': mappingCreateMissingAction,
  'match.export': matchExportAction,
  'match.import_open': matchImportOpenAction,
  'match.import': matchImportAction,
  'run.launch': runLaunchAction,
  'run.cancel': runCancelAction,
  'mailbox.log': mailboxLogAction,
  'run.create_missing': runCreateMissingAction,
  'hold.approve': holdApproveAction,
  'hold.reject': holdRejectAction,
  'hold.refresh': holdRefreshAction,
  'hold.open': holdOpenAction,
  'hold.page': holdPageAction,
};
