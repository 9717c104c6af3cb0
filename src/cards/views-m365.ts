/** View models of the Microsoft 365 connect flow (issue 5). */
import type { ButtonView } from './views.js';

/**
 * Connecting one side to Microsoft 365: guided admin consent (a link to Microsoft's consent page
 * for mailferry's app), the permissions it grants and why, and the way to enter an app
 * registration by hand instead.
 */
export interface M365ConnectView {
  kind: 'm365_connect';
  projectName: string;
  side: 'source' | 'destination';
  /** Microsoft's admin-consent page; absent when guided consent is not set up on this server. */
  consentUrl?: string;
  /** Why guided consent is not offered (the server lacks M365_CLIENT_ID…), when it is not. */
  consentProblem?: string;
  permissions: { name: string; why: string }[];
  /** "Enter tenant credentials" (opens the manual form) and friends. */
  actions: ButtonView[];
}
