import { useEffect, useRef, useState } from 'react';
import { api } from '../api';
import { Sparkline } from '../components/Charts';
import { ProblemMessage } from '../components/ProblemMessage';
import { points, Sample, ServiceMetrics } from '../kpis';

/** How often the figures are read, and how many readings are charted (5 minutes). */
export const KPI_POLL_MS = 5000;
const KEPT = 60;

/**
 * Every service's key figures, charted as they come: requests and server errors per
 * second, mean request time, CPU, heap, database connections and the outbox backlog. Read
 * through the admin API (tenant-service asks each service), never by scraping.
 */
export function KpisView() {
  const [history, setHistory] = useState<Record<string, Sample[]>>({});
  const [down, setDown] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const stopped = useRef(false);

  useEffect(() => {
    stopped.current = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function read() {
      try {
        const metrics = await api<{ services: ServiceMetrics[] }>('/api/v1/admin/database/metrics');
        if (stopped.current) {
          return;
        }
        const at = Date.now();
        setHistory((old) => {
          const next: Record<string, Sample[]> = { ...old };
          for (const s of metrics.services) {
            const sample: Sample = { at, process: s.ok ? s.process : null, backlog: s.events?.outboxBacklog ?? null };
            next[s.service] = [...(old[s.service] ?? []), sample].slice(-KEPT);
          }
          return next;
        });
        setDown(Object.fromEntries(metrics.services.filter((s) => !s.ok).map((s) => [s.service, s.error ?? 'no answer'])));
        setError(null);
      } catch (failure) {
        if (!stopped.current) {
          setError(failure);
        }
      }
      if (!stopped.current) {
        timer = setTimeout(read, KPI_POLL_MS);
      }
    }
    void read();
    return () => {
      stopped.current = true;
      clearTimeout(timer);
    };
  }, []);

  return (
    <section aria-labelledby="kpis-heading">
      <h2 id="kpis-heading">KPIs</h2>
      <p className="job-when">Every {KPI_POLL_MS / 1000} s, the last {(KEPT * KPI_POLL_MS) / 60000} minutes; rates from one reading to the next.</p>
      <ProblemMessage error={error} />
      {Object.entries(history).map(([service, samples]) => {
        const series = points(samples);
        const pick = <K extends keyof (typeof series)[number]>(key: K) => series.map((p) => p[key]);
        return (
          <div key={service} className="service-block" data-testid={`kpis-${service}`}>
            <h3>
              {service}
              {down[service] ? <span className="move-reason"> — not answering: {down[service]}</span> : null}
            </h3>
            <div className="sparklines">
              <Sparkline label={`${service} requests`} values={pick('requestsPerSecond')} unit="/s" />
              <Sparkline label={`${service} server errors`} values={pick('serverErrorsPerSecond')} unit="/s" />
              <Sparkline label={`${service} mean request time`} values={pick('meanMillis')} unit="ms" />
              <Sparkline label={`${service} CPU`} values={pick('cpuPercent')} unit="%" />
              <Sparkline label={`${service} heap`} values={pick('heapMb')} unit="MB" />
              <Sparkline label={`${service} connections in use`} values={pick('connections')} unit="" />
              <Sparkline label={`${service} waiting for a connection`} values={pick('pending')} unit="" />
              {service !== 'tenant' ? <Sparkline label={`${service} outbox backlog`} values={pick('backlog')} unit="events" /> : null}
            </div>
          </div>
        );
      })}
    </section>
  );
}
