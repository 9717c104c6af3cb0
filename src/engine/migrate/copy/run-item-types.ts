import type { RunMode, RunOptions } from '../../api.js';
import type { ItemType } from '../../connectors/types.js';

/** The item types a run moves: a full run's options may leave mail, calendars or contacts out; other modes take all. */
export function runItemTypes(mode: RunMode, options: RunOptions): ItemType[] {
  if (mode !== 'full') return ['mail', 'event', 'contact'];
  return [...(options.mail === false ? [] : ['mail' as const]), ...(options.calendars === false ? [] : ['event' as const]), ...(options.contacts === false ? [] : ['contact' as const])];
}
