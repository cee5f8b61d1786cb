// Sign-in at tenant-service's authorization server: authorization code with PKCE, as a
// public client. The access token lives in this module's memory only — never in
// localStorage or a cookie — so a reload signs in again (silently, while the
// authorization server's own session lasts). Only the PKCE verifier and state cross the
// redirect, in sessionStorage, and are removed as soon as the code comes back.

export const CLIENT_ID = 'tierflow-console';

const PENDING = 'tierflow.console.pkce';

export interface Session {
  accessToken: string;
  idToken?: string;
  subject: string;
  /** Whom to show as signed in: the ID token's e-mail or user name, else the subject. */
  name: string;
  roles: string[];
  tenantId?: string;
  expiresAt: number;
}

let current: Session | null = null;

export function session(): Session | null {
  if (current && Date.now() >= current.expiresAt) {
    current = null;
  }
  return current;
}

export function redirectUri(): string {
  return window.location.origin + '/';
}

export function base64url(bytes: Uint8Array): string {
  let text = '';
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The S256 code challenge of a verifier (RFC 7636). */
export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function randomText(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Goes to the authorization server's sign-in. */
export async function signIn(): Promise<void> {
  const verifier = randomText(32);
  const state = randomText(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: 'openid',
    code_challenge: await challengeFor(verifier),
    code_challenge_method: 'S256',
    state,
  });
  window.location.assign('/oauth2/authorize?' + params.toString());
}

/** The claims of a JWT, unverified: the services verify it, the page only reads it. */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  return JSON.parse(json) as Record<string, unknown>;
}

export function sessionFrom(accessToken: string, idToken: string | undefined, expiresIn: number): Session {
  const claims = claimsOf(accessToken);
  const roles = Array.isArray(claims.roles) ? (claims.roles as string[]) : [];
  const subject = String(claims.sub ?? '');
  const id = idToken ? claimsOf(idToken) : {};
  const named = [id.email, id.preferred_username].find((v) => typeof v === 'string' && v !== '');
  return {
    accessToken,
    idToken,
    subject,
    name: typeof named === 'string' ? named : subject,
    roles,
    tenantId: typeof claims.tenant_id === 'string' ? claims.tenant_id : undefined,
    expiresAt: Date.now() + Math.max(0, expiresIn - 30) * 1000,
  };
}

/**
 * Finishes a sign-in when the page is the redirect URI with a code: exchanges it, with
 * the verifier, for an access token.
 * @returns the session, or null when the page was not opened with a code
 */
export async function completeSignIn(search: string): Promise<Session | null> {
  const params = new URLSearchParams(search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) {
    return null;
  }
  const saved = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  window.history.replaceState(null, '', '/');
  if (error) {
    throw new Error(`Sign-in refused: ${params.get('error_description') ?? error}`);
  }
  if (!saved || saved.state !== params.get('state')) {
    throw new Error('The sign-in came back with a state this page did not send; sign in again.');
  }
  const response = await fetch('/oauth2/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
      client_id: CLIENT_ID,
    }),
  });
  if (!response.ok) {
    throw new Error(`Sign-in failed: the token endpoint answered ${response.status}`);
  }
  const body = (await response.json()) as { access_token: string; id_token?: string; expires_in: number };
  current = sessionFrom(body.access_token, body.id_token, body.expires_in);
  return current;
}

/**
 * Revokes the access token, forgets it, and ends the authorization server's session
 * (OpenID Connect RP-initiated logout), which comes back to the console.
 */
export async function signOut(): Promise<void> {
  const ending = current;
  current = null;
  if (!ending) {
    return;
  }
  await fetch('/oauth2/revoke', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: ending.accessToken, token_type_hint: 'access_token', client_id: CLIENT_ID }),
  });
  if (ending.idToken) {
    const params = new URLSearchParams({
      id_token_hint: ending.idToken,
      client_id: CLIENT_ID,
      post_logout_redirect_uri: redirectUri(),
    });
    window.location.assign('/connect/logout?' + params.toString());
  }
}
