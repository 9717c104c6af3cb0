import type { ChatContext } from '../context.js';
import type { Command, TurnDeps } from './types.js';
import { usageError } from './types.js';
import { presentImportForm } from '../presenters/forms.js';
import { presentMatchReview } from '../presenters/match-review.js';
import { formatCount } from '../presenters/format.js';
import { readCsvUpload } from '../csv-upload.js';

/** Sends the mapping as a CSV file, or as a code block where the platform cannot take files. */
export async function sendMappingCsv(ctx: ChatContext, { engine, actor }: TurnDeps, project: string): Promise<void> {
  const info = await engine.getProject(actor, project);
  const csv = await engine.exportMappingCsv(actor, { project: info.id });
  const lines = Math.max(0, csv.trim().split('\n').length - 1);
  const comment = `Mapping of ${info.name}: ${formatCount(lines)} rows. Edit it, then share the file in a message to mailferry saying “match ${info.name} import” (or paste it with /migrate match ${info.name} import).`;
  if (ctx.sendFile) {
    await ctx.sendFile(`${info.name.replace(/[^\w.-]+/g, '-')}-mapping.csv`, csv, comment);
    return;
  }
  await ctx.reply({ kind: 'notice', tone: 'info', title: `Mapping of ${info.name} (CSV)`, text: `${comment}\n\`\`\`\n${csv.trimEnd()}\n\`\`\`` });
}

/** Applies a CSV and shows the review with what changed; `fileName` when it came as a shared file. */
export async function importMappingCsv(ctx: ChatContext, deps: TurnDeps, project: string, csv: string, answer: 'reply' | 'respond', fileName?: string): Promise<void> {
  const { engine, actor } = deps;
  const result = await engine.importMappingCsv(actor, { project, csv });
  const review = await engine.getMatchReview(actor, { project, filter: 'all', page: 1 });
  const what = fileName ? `“${fileName.slice(0, 80)}”` : 'CSV';
  const notice = `${what} imported by ${actor.userName}: ${formatCount(result.applied)} rows changed, ${formatCount(result.unchanged)} unchanged.`;
  await ctx[answer](presentMatchReview(review, notice));
}

export const matchCommand: Command = {
  name: 'match',
  usage: 'match <project> [all|export|import]',
  description: 'Review the suggested source → destination mapping; export or import it as CSV.',
  roles: ['admin', 'helpdesk', 'approver'],
  async run(ctx, args, deps) {
    const { engine, actor } = deps;
    const [project, sub, ...rest] = args;
    if (!project || rest.length) throw usageError(this, '“match” takes a project and optionally all, export or import.');
    const mode = sub?.toLowerCase();
    if (mode === 'export') return sendMappingCsv(ctx, deps, project);
    if (mode === 'import') {
      // Viewing is open to helpdesk and approvers; changing the mapping is for admins.
      await engine.authorize(actor, ['admin'], 'command:match.import');
      // A file shared with the command (Slack file share, Teams attachment): checked, then downloaded.
      const upload = ctx.uploads?.[0];
      if (upload) return importMappingCsv(ctx, deps, project, await readCsvUpload(upload, project), 'reply', upload.name);
      const file = ctx.attachments?.[0];
      if (file) return importMappingCsv(ctx, deps, project, file.text, 'reply');
      await ctx.openForm(presentImportForm(await engine.getProject(actor, project)));
      return;
    }
    if (mode !== undefined && mode !== 'all' && mode !== 'review') throw usageError(this, `“${sub}” is not something match does.`);
    const review = await engine.getMatchReview(actor, { project, filter: mode === 'all' ? 'all' : 'needs_review', page: 1 });
    await ctx.reply(presentMatchReview(review));
  },
};
