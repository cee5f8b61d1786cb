import { base64url, challengeFor, claimsOf, sessionFrom } from './auth';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636, appendix B', async () => {
    expect(await challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('encodes bytes as unpadded base64url', () => {
    expect(base64url(new Uint8Array([251, 255, 191]))).toBe('-_-_');
    expect(base64url(new Uint8Array([1]))).toBe('AQ');
  });
});

describe('a session from a token', () => {
  it('reads the subject, roles and tenant the token carries', () => {
    const token = jwt({ sub: 'u-1', roles: ['TENANT_ADMIN'], tenant_id: 't-1' });
    const s = sessionFrom(token, undefined, 900);
    expect(s.subject).toBe('u-1');
    expect(s.name).toBe('u-1');
    expect(s.roles).toEqual(['TENANT_ADMIN']);
    expect(s.tenantId).toBe('t-1');
    expect(s.expiresAt).toBeGreaterThan(Date.now());
  });

  it('names the user by the ID token: e-mail first, then user name', () => {
    const access = jwt({ sub: 'u-1', roles: ['USER'] });
    expect(sessionFrom(access, jwt({ sub: 'u-1', email: 'ada@example.com', preferred_username: 'acme/ada@example.com' }), 60).name).toBe(
      'ada@example.com',
    );
    expect(sessionFrom(access, jwt({ sub: 'operator:ops', preferred_username: 'ops' }), 60).name).toBe('ops');
    expect(sessionFrom(access, jwt({ sub: 'u-1', email: '' }), 60).name).toBe('u-1');
  });

  it('gives an operator no tenant and a token without roles none', () => {
    expect(sessionFrom(jwt({ sub: 'operator:ops', roles: ['SYSTEM_ADMIN'] }), undefined, 60).tenantId).toBeUndefined();
    expect(sessionFrom(jwt({ sub: 'x' }), undefined, 60).roles).toEqual([]);
    expect(claimsOf(jwt({ sub: 'ü' })).sub).toBe('ü');
  });
});
