import type { ButtonView } from '../views.js';
import { truncate } from '../text.js';

/** What a button becomes in a Teams template: an Action.Execute plus its Action.Submit fallback. */
export interface TeamsAction {
  title: string;
  verb: string;
  /** Action.Execute `data`: Teams sends it back with the verb, merged with the card's inputs. */
  payload: Record<string, string | number | boolean>;
  style: 'default' | 'positive' | 'destructive';
  /** Action.Submit `data` for clients without Universal Actions: the verb travels inside. */
  submitData: Record<string, string | number | boolean>;
}

const styles = { primary: 'positive', danger: 'destructive' } as const;

export function teamsAction(button: ButtonView): TeamsAction {
  return {
    title: truncate(button.label, 40),
    verb: button.verb,
    payload: { ...button.data },
    style: button.style ? styles[button.style] : 'default',
    submitData: { ...button.data, verb: button.verb },
  };
}

export function teamsActions(buttons: readonly ButtonView[] | undefined): TeamsAction[] {
  return (buttons ?? []).map(teamsAction);
}
