import { points, ProcessFigures, Sample } from './kpis';

const figures = (requests: number, seconds: number, errors = 0): ProcessFigures => ({
  requests,
  clientErrors: 0,
  serverErrors: errors,
  requestSeconds: seconds,
  cpu: 0.25,
  heapUsedBytes: 200e6,
  heapMaxBytes: 1e9,
  threads: 50,
  connectionsActive: 3,
  connectionsIdle: 7,
  connectionsPending: 0,
});

describe('points', () => {
  it('makes rates from two readings of the counters, and levels from the latest', () => {
    const samples: Sample[] = [
      { at: 0, process: figures(100, 1), backlog: 0 },
      { at: 5000, process: figures(600, 3.5, 5), backlog: 12 },
    ];
    expect(points(samples)).toEqual([
      {
        requestsPerSecond: 100,
        serverErrorsPerSecond: 1,
        meanMillis: 5,
        cpuPercent: 25,
        heapMb: 200,
        connections: 3,
        pending: 0,
        backlog: 12,
      },
    ]);
  });

  it('leaves a rate unknown across a restart, never negative', () => {
    const [point] = points([
      { at: 0, process: figures(5000, 10), backlog: null },
      { at: 5000, process: figures(20, 0.1), backlog: null },
    ]);
    expect(point.requestsPerSecond).toBeNull();
    expect(point.meanMillis).toBeNull();
    expect(point.heapMb).toBe(200);
  });
});
