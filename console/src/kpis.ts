/** The console's KPIs: each service's figures read every few seconds, turned into rates. */

export interface ProcessFigures {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  requestSeconds: number;
  cpu: number | null;
  heapUsedBytes: number | null;
  heapMaxBytes: number | null;
  threads: number | null;
  connectionsActive: number | null;
  connectionsIdle: number | null;
  connectionsPending: number | null;
}

export interface ServiceMetrics {
  service: string;
  ok: boolean;
  events: { outboxBacklog: number | null; outboxLagSeconds: number | null; deadLettered: number | null } | null;
  process: ProcessFigures | null;
  error: string | null;
}

export interface Sample {
  at: number;
  process: ProcessFigures | null;
  backlog: number | null;
}

/** What is charted per reading: rates over the interval before it, levels as they are. */
export interface Point {
  requestsPerSecond: number | null;
  serverErrorsPerSecond: number | null;
  meanMillis: number | null;
  cpuPercent: number | null;
  heapMb: number | null;
  connections: number | null;
  pending: number | null;
  backlog: number | null;
}

/**
 * A point per reading after the first. Counters are totals since the instance started:
 * one that went down means an instance restarted (or another answered), so that
 * interval's rates are unknown rather than negative.
 */
export function points(samples: Sample[]): Point[] {
  const result: Point[] = [];
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1];
    const now = samples[i];
    const seconds = (now.at - before.at) / 1000;
    const a = before.process;
    const b = now.process;
    const counted = a !== null && b !== null && seconds > 0 && b.requests >= a.requests && b.serverErrors >= a.serverErrors;
    const served = counted ? b.requests - a.requests : 0;
    result.push({
      requestsPerSecond: counted ? served / seconds : null,
      serverErrorsPerSecond: counted ? (b.serverErrors - a.serverErrors) / seconds : null,
      meanMillis: counted && served > 0 ? ((b.requestSeconds - a.requestSeconds) / served) * 1000 : null,
      cpuPercent: b?.cpu !== null && b?.cpu !== undefined ? b.cpu * 100 : null,
      heapMb: b?.heapUsedBytes !== null && b?.heapUsedBytes !== undefined ? b.heapUsedBytes / 1e6 : null,
      connections: b?.connectionsActive ?? null,
      pending: b?.connectionsPending ?? null,
      backlog: now.backlog,
    });
  }
  return result;
}
