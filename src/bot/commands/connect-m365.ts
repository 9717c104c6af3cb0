import type { ProjectInfo, Side } from '../../engine/index.js';
import { AppError } from '../../errors.js';
import type { ChatContext } from '../context.js';
import { presentConnectionForm } from '../presenters/forms.js';
import { presentM365Connect, type ConsentOffer } from '../presenters/m365-connect.js';
import type { TurnDeps } from './types.js';

function permissionsOf(error: AppError): { name: string; why: string }[] {
  const raw = error.details?.permissions;
  return Array.isArray(raw) ? raw.filter((p): p is { name: string; why: string } => typeof p?.name === 'string' && typeof p?.why === 'string') : [];
}

/**
 * Opening one side's credentials: Microsoft 365 gets the consent card (Grant admin consent, the
 * permissions and why, and the manual way); every other platform, and "manual", the form.
 */
export async function openConnect(ctx: ChatContext, { engine, actor }: TurnDeps, project: ProjectInfo, side: Side, manual = false): Promise<void> {
  const platform = side === 'source' ? project.sourcePlatform : project.destinationPlatform;
  if (platform !== 'm365' || manual) {
    await ctx.openForm(presentConnectionForm(project, side, engine.platforms(), engine.connectionForm(platform)));
    return;
  }
  let offer: ConsentOffer;
  try {
    offer = await engine.m365ConsentUrl(actor, { project: project.id, side });
  } catch (error) {
    // Guided consent not set up on this server: the card says so and offers the manual way.
    if (!AppError.is(error, 'CONFIG')) throw error;
    offer = { problem: error.userMessage, permissions: permissionsOf(error) };
  }
  // A click (the project card's Connect, Try again) turns that card into this one; a command posts it.
  await ctx.respond(presentM365Connect(project, side, offer));
}
