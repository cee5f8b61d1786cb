import { render, screen, within } from '@testing-library/react';
import { Move, TierChange } from '../api';
import { MoveBars, movePercent, moveText } from './MoveBars';

function move(service: string, over: Partial<Move> = {}): Move {
  return {
    service,
    rollback: false,
    status: 'RUNNING',
    moveId: null,
    phase: 'COPYING',
    changesApplied: 1234,
    lagMs: null,
    reason: null,
    tier: null,
    isolation: null,
    cluster: null,
    epoch: null,
    fencedMs: null,
    checksums: null,
    updatedAt: null,
    ...over,
  };
}

function change(moves: Move[]): TierChange {
  return {
    id: 'c1',
    kind: 'TIER_CHANGE',
    fromPlan: 'PROFESSIONAL',
    toPlan: 'STANDARD',
    fromTier: 'DEDICATED',
    toTier: 'SHARED',
    status: 'REQUESTED',
    services: moves.map((m) => m.service),
    reason: null,
    requestedBy: 'operator:ops',
    requestedAt: '2026-12-07T05:00:00Z',
    finishedAt: null,
    moves,
  };
}

describe('movePercent', () => {
  it('follows the phases and ends at 100 only when the move succeeded', () => {
    expect(movePercent(move('a', { status: 'PENDING', phase: null }))).toBe(0);
    expect(movePercent(move('a', { phase: 'COPYING' }))).toBe(15);
    expect(movePercent(move('a', { phase: 'STREAMING' }))).toBeGreaterThan(movePercent(move('a', { phase: 'COPYING' })));
    expect(movePercent(move('a', { phase: 'SWITCHED' }))).toBeLessThan(100);
    expect(movePercent(move('a', { status: 'SUCCEEDED', phase: 'SWITCHED' }))).toBe(100);
    expect(movePercent(move('a', { phase: 'SOMETHING_NEW' }))).toBe(0);
  });
});

describe('moveText', () => {
  it('shows the phase, the rows, the lag while running and the fence once held', () => {
    expect(moveText(move('a', { phase: 'STREAMING', changesApplied: 12000, lagMs: 40 }))).toBe(
      'streaming · 12,000 rows · lag 40 ms',
    );
    expect(moveText(move('a', { status: 'SUCCEEDED', phase: 'SWITCHED', lagMs: 3, fencedMs: 21 }))).toBe(
      'done · 1,234 rows · fence 21 ms',
    );
  });
});

describe('MoveBars', () => {
  it('shows one bar per service, and the checksums of the moves that ended', () => {
    render(
      <MoveBars
        change={change([
          move('analytics', { phase: 'STREAMING' }),
          move('billing', { status: 'SUCCEEDED', phase: 'SWITCHED', fencedMs: 12, checksums: { invoice: { rows: 3, sum: '42' } } }),
          move('file'),
          move('simulation', { status: 'FAILED', phase: 'ABORTED', reason: 'checksums differ' }),
        ])}
      />,
    );
    const bars = screen.getAllByRole('progressbar');
    expect(bars.map((b) => b.getAttribute('aria-label'))).toEqual([
      'analytics move',
      'billing move',
      'file move',
      'simulation move',
    ]);
    expect(screen.getByRole('progressbar', { name: 'billing move' }).getAttribute('aria-valuenow')).toBe('100');
    const sums = screen.getByRole('table', { name: 'billing checksums' });
    expect(within(sums).getByText('invoice')).toBeTruthy();
    expect(within(sums).getByText('42')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'analytics checksums' })).toBeNull();
    expect(screen.getByText('checksums differ')).toBeTruthy();
  });

  it('shows the moves back of a change rolling back under their own heading', () => {
    render(<MoveBars change={change([move('billing', { status: 'FAILED' }), move('file', { rollback: true })])} />);
    expect(screen.getByRole('heading', { name: 'Moving back' })).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'file move back' })).toBeTruthy();
  });
});
