import { api, Problem, problemOf } from './api';

function response(status: number, body: string, type: string): Response {
  return new Response(body, { status, headers: { 'Content-Type': type } });
}

describe('problems', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads an RFC 9457 problem as its title and detail', async () => {
    const problem = await problemOf(
      response(400, JSON.stringify({ title: 'Bad Request', detail: 'slug must be lower-case' }), 'application/problem+json'),
    );
    expect(problem).toBeInstanceOf(Problem);
    expect(problem.status).toBe(400);
    expect(problem.title).toBe('Bad Request');
    expect(problem.detail).toBe('slug must be lower-case');
  });

  it('never shows a body that is not a problem, such as an HTML error page', async () => {
    const problem = await problemOf(response(502, '<html>stack trace here</html>', 'text/html'));
    expect(problem.title).not.toContain('stack');
    expect(problem.detail).toBeUndefined();
  });

  it('throws the problem of a refused call', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => response(403, JSON.stringify({ title: 'Forbidden', detail: 'Needs SYSTEM_ADMIN' }), 'application/problem+json')),
    );
    await expect(api('/api/v1/tenants')).rejects.toMatchObject({ status: 403, detail: 'Needs SYSTEM_ADMIN' });
  });
});
