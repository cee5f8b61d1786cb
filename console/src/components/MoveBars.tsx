import { Move, TierChange } from '../api';
import { ProgressBar } from './ProgressBar';

/**
 * How far a move is, by the phases it passes (MovePhase): the copy and the stream take
 * most of a move's time, the fence a few milliseconds. A finished move is at 100 %.
 */
const PHASE_PERCENT: Record<string, number> = {
  PREPARING: 5,
  COPYING: 15,
  STREAMING: 55,
  VERIFYING: 70,
  FENCED: 85,
  SWITCHED: 95,
  REMOVING_SOURCE: 97,
};

export function movePercent(move: Move): number {
  if (move.status === 'SUCCEEDED') {
    return 100;
  }
  if (move.status === 'PENDING' || !move.phase) {
    return 0;
  }
  return PHASE_PERCENT[move.phase] ?? 0;
}

const number = new Intl.NumberFormat('en');

/** The bar's words: where the move is and its numbers so far. */
export function moveText(move: Move): string {
  const parts: string[] = [move.status === 'SUCCEEDED' ? 'done' : move.status === 'FAILED' ? 'failed' : (move.phase ?? 'waiting').toLowerCase()];
  parts.push(`${number.format(move.changesApplied)} rows`);
  if (move.lagMs !== null && move.status === 'RUNNING') {
    parts.push(`lag ${number.format(move.lagMs)} ms`);
  }
  if (move.fencedMs !== null) {
    parts.push(`fence ${number.format(move.fencedMs)} ms`);
  }
  return parts.join(' · ');
}

/**
 * One live bar per service for a tier change or rebalance (its forward round, then any
 * moves back), and each finished move's per-table checksums.
 */
export function MoveBars({ change }: { change: TierChange }) {
  const rounds: [string, Move[]][] = [
    ['forward', change.moves.filter((m) => !m.rollback)],
    ['back', change.moves.filter((m) => m.rollback)],
  ];
  return (
    <div className="move-bars" data-testid={`moves-${change.id}`}>
      {rounds
        .filter(([, moves]) => moves.length > 0)
        .map(([round, moves]) => (
          <div key={round}>
            {round === 'back' ? <h4>Moving back</h4> : null}
            <ul className="moves">
              {moves.map((move) => (
                <li key={`${round}-${move.service}`} data-testid={`move-${round}-${move.service}`}>
                  <span className="move-service">{move.service}</span>
                  <ProgressBar
                    label={`${move.service} move${round === 'back' ? ' back' : ''}`}
                    value={movePercent(move)}
                    text={`${movePercent(move)} % · ${moveText(move)}`}
                  />
                  {move.reason ? <p className="move-reason">{move.reason}</p> : null}
                  {move.checksums && Object.keys(move.checksums).length > 0 ? (
                    <table className="checksums" aria-label={`${move.service} checksums`}>
                      <thead>
                        <tr>
                          <th scope="col">Table</th>
                          <th scope="col">Rows</th>
                          <th scope="col">Checksum</th>
                        </tr>
                      </thead>
                      <tbody>
                        {Object.entries(move.checksums).map(([table, sum]) => (
                          <tr key={table}>
                            <td>{table}</td>
                            <td>{number.format(sum.rows)}</td>
                            <td className="checksum">{String(sum.sum)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                </li>
              ))}
            </ul>
          </div>
        ))}
    </div>
  );
}
