import { session } from './auth';

/** An RFC 9457 problem the API answered, shown as its title and detail. */
export class Problem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;

  constructor(status: number, title: string, detail?: string) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

/** Calls the public API through the gateway with the signed-in user's token. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  const token = session()?.accessToken;
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (init.body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  if (!response.ok) {
    throw await problemOf(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

export async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await response.json()) as { title?: string; detail?: string };
      return new Problem(response.status, body.title ?? response.statusText ?? 'Request failed', body.detail);
    } catch {
      // not JSON after all: fall through
    }
  }
  return new Problem(response.status, response.statusText || `HTTP ${response.status}`);
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
}

export interface ServicePlacement {
  service: string;
  state: string;
  tier: string;
  isolation: string | null;
  cluster: string | null;
  database: string | null;
  schema: string | null;
  epoch: number | null;
  reason: string | null;
}

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  plan: string;
  tier: string;
  region: string;
  status: string;
  statusReason: string | null;
  createdAt: string;
  placements: ServicePlacement[];
}
