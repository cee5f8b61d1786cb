import { session } from './auth';

/** An RFC 9457 problem the API answered, shown as its title and detail. */
export class Problem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  /** The problem's other members (a model's `faults`, a quota's `limit`). */
  readonly properties: Record<string, unknown>;

  constructor(status: number, title: string, detail?: string, properties: Record<string, unknown> = {}) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.properties = properties;
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
      const body = (await response.json()) as { title?: string; detail?: string } & Record<string, unknown>;
      return new Problem(response.status, body.title ?? response.statusText ?? 'Request failed', body.detail, body);
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
  deleteRequestedAt: string | null;
  eraseAfter: string | null;
  erasedAt: string | null;
  placements: ServicePlacement[];
  pendingTierChange: TierChange | null;
}

/** Fetches a file the API serves (an export's archive) with the user's token. */
export async function download(path: string): Promise<Blob> {
  const headers: Record<string, string> = {};
  const token = session()?.accessToken;
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  const response = await fetch(path, { headers });
  if (!response.ok) {
    throw await problemOf(response);
  }
  return response.blob();
}

/** A table's rows and their checksum, verified equal in a move's source and target. */
export interface Checksum {
  rows: number;
  sum: number | string;
}

/** One service's move in a tier change (TierChange.Move). */
export interface Move {
  service: string;
  rollback: boolean;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  moveId: string | null;
  phase: string | null;
  changesApplied: number;
  lagMs: number | null;
  reason: string | null;
  tier: string | null;
  isolation: string | null;
  cluster: string | null;
  epoch: number | null;
  fencedMs: number | null;
  checksums: Record<string, Checksum> | null;
  updatedAt: string | null;
}

export interface TierChange {
  id: string;
  kind: 'TIER_CHANGE' | 'REBALANCE';
  fromPlan: string;
  toPlan: string;
  fromTier: string;
  toTier: string;
  status: 'REQUESTED' | 'ROLLING_BACK' | 'COMPLETED' | 'ROLLED_BACK' | 'ROLLBACK_FAILED';
  services: string[];
  reason: string | null;
  requestedBy: string;
  requestedAt: string;
  finishedAt: string | null;
  moves: Move[];
}

export interface ExportPart {
  service: string;
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  rowsWritten: number;
  bytesWritten: number;
  schemaVersion: string | null;
  tables: Record<string, Checksum> | null;
  reason: string | null;
  updatedAt: string | null;
}

export interface TenantExport {
  id: string;
  tenantId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  reason: string | null;
  requestedBy: string;
  requestedAt: string;
  finishedAt: string | null;
  rowsWritten: number;
  bytesWritten: number;
  services: ExportPart[];
}

export interface ErasureCertificate {
  tenantId: string;
  status: string;
  deleteRequestedAt: string | null;
  eraseAfter: string | null;
  erasedAt: string | null;
  services: { service: string; state: string; erasedAt: string | null }[];
}
