/**
 * What Microsoft's admin-consent redirect said went wrong, as a sentence that says what to fix.
 * The error text arrives in a URL anyone could craft, so only its AADSTS code and a bounded,
 * single-line excerpt are ever repeated.
 */

const FIXES: Record<string, (redirectUri: string, clientId: string) => string> = {
  '65004': () => 'The administrator declined the consent (AADSTS65004). Click “Grant admin consent” again and accept.',
  '90094': () => 'Only an administrator can grant this consent (AADSTS90094). Sign in as a Global Administrator or Privileged Role Administrator of the tenant, then click “Grant admin consent” again.',
  '90008': () => 'Only an administrator can grant this consent (AADSTS90008). Sign in as a Global Administrator or Privileged Role Administrator of the tenant, then try again.',
  '50011': (redirectUri, clientId) => `Microsoft refused the return address (AADSTS50011). Ask your mailferry operator to add ${redirectUri} as a Web redirect URI of the app ${clientId}, then try again.`,
  '700016': (_r, clientId) => `Microsoft does not know mailferry's app ${clientId} (AADSTS700016). Ask your mailferry operator to check M365_CLIENT_ID and that the app is multi-tenant, then try again.`,
  '50020': () => 'That account belongs to another tenant (AADSTS50020). Sign in with an administrator of the tenant to connect, then try again.',
  '500113': (redirectUri, clientId) => `The app ${clientId} has no reply address registered (AADSTS500113). Ask your mailferry operator to add ${redirectUri} as a Web redirect URI, then try again.`,
};

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').replace(/Trace ID:.*$/i, '').trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

export function describeConsentError(error: string, description: string | undefined, redirectUri: string, clientId: string): string {
  const code = /AADSTS(\d{4,7})/.exec(description ?? '')?.[1];
  const fix = code ? FIXES[code] : undefined;
  if (fix) return `${fix(redirectUri, clientId)} Nothing was saved.`;
  if (error === 'access_denied') return `The consent was not granted${code ? ` (AADSTS${code})` : ''}. Nothing was saved; click “Grant admin consent” again as an administrator of the tenant and accept.`;
  if (error === 'consent_not_granted') return 'Microsoft did not confirm the admin consent. Nothing was saved; click “Grant admin consent” again and accept.';
  const said = description ? `: ${excerpt(description)}` : ` (${excerpt(error)})`;
  return `Microsoft 365 refused the consent${said}. Nothing was saved; fix that, then click “Grant admin consent” again, or connect with your own app registration instead.`;
}
