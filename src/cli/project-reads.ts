import { AppError } from '../errors.js';
import { requireName } from './cli-args.js';
import type { ProjectCommand } from './command-result.js';
import { allMappings, applyPairs } from './mailbox-pairs.js';
import { orgOf } from './project-create.js';
import { formatMatch, formatProject, formatRun, formatVerification } from './project-format.js';

/** `project match`: builds the suggestions if needed, applies the CSV's pairs, prints every mapping. */
export const matchCommand: ProjectCommand = (args) => {
  const name = requireName(args);
  return async (session) => {
    const actor = session.actor(orgOf(args));
    const project = await session.engine.getProject(actor, name);
    await session.engine.getMatchReview(actor, { project: project.id, pageSize: 1 });
    const applied = await applyPairs(session.engine, actor, project.id);
    const { review, rows } = await allMappings(session.engine, actor, project.id);
    const next = review.counts.needs_review > 0
      ? `Review the ${review.counts.needs_review} open mapping${review.counts.needs_review === 1 ? '' : 's'} in chat (\`/migrate match ${project.name}\`) before launching.`
      : `Next: npm run cli -- project launch ${project.name} --mode full --wait`;
    const text = [formatMatch(review, rows), applied ? `Applied ${applied} mailbox pair${applied === 1 ? '' : 's'} from the CSV.` : '', next].filter(Boolean).join('\n');
    return { data: { project: review.project, counts: review.counts, pairsApplied: applied, mappings: rows }, text };
  };
};

/** `project status`: the project, its latest run (any mode), and that run's verification when it was a copy run. */
export const statusCommand: ProjectCommand = (args) => {
  const name = requireName(args);
  return async (session) => {
    const actor = session.actor(orgOf(args));
    const project = await session.engine.getProject(actor, name);
    const run = await session.engine.latestRun(actor, { project: project.id });
    const finishedCopy = run && run.mode !== 'scan' && (run.status === 'completed' || run.status === 'failed');
    const verification = finishedCopy ? await session.engine.getVerification(actor, { project: project.id, runId: run.id }).catch(() => null) : null;
    const text = [formatProject(project), run ? formatRun(run) : 'No run yet.', verification ? formatVerification(verification) : ''].filter(Boolean).join('\n');
    return { data: { project, run, verification }, text };
  };
};

/** `project verify`: the verification of the latest finished copy run; exit 2 when anything is missing. */
export const verifyCommand: ProjectCommand = (args) => {
  const name = requireName(args);
  return async (session) => {
    const actor = session.actor(orgOf(args));
    const verification = await session.engine.getVerification(actor, { project: name, ...(args.flags.run ? { runId: args.flags.run } : {}) });
    if (!verification) throw new AppError('NOT_FOUND', `${name} has no finished copy run to verify yet; run \`project launch ${name} --mode full --wait\` first.`);
    const incomplete = verification.missingTotal > 0 || verification.consistencyPercent < 100;
    return { data: verification, text: formatVerification(verification), exitCode: incomplete ? 2 : 0 };
  };
};
