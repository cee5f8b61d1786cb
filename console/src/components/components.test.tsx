import { render, screen } from '@testing-library/react';
import { Problem } from '../api';
import { ProblemMessage } from './ProblemMessage';
import { ProgressBar } from './ProgressBar';

describe('ProblemMessage', () => {
  it('shows a problem as an alert with its title and detail', () => {
    render(<ProblemMessage error={new Problem(409, 'Conflict', 'The slug acme is taken')} />);
    expect(screen.getByRole('alert').textContent).toBe('Conflict — The slug acme is taken');
  });

  it('shows nothing without a problem', () => {
    const { container } = render(<ProblemMessage error={null} />);
    expect(container.innerHTML).toBe('');
  });
});

describe('ProgressBar', () => {
  it('is a labelled progressbar with its value, clamped to its range', () => {
    render(<ProgressBar label="simulation: copying" value={150} max={100} />);
    const bar = screen.getByRole('progressbar', { name: 'simulation: copying' });
    expect(bar.getAttribute('aria-valuenow')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe('100 %');
  });

  it('keeps its layout whatever the value: only the fill and the numbers change', () => {
    // The elements and their classes (which fix their sizes), without attribute values.
    const skeleton = (root: Element) =>
      [...root.querySelectorAll('*')].map((e) => `${e.tagName}.${e.className}`).join(' ');
    const { container, rerender } = render(<ProgressBar label="run" value={1} />);
    const before = skeleton(container);
    rerender(<ProgressBar label="run" value={99} />);
    expect(skeleton(container)).toBe(before);
    expect((container.querySelector('.progress-fill') as HTMLElement).style.width).toBe('99%');
  });
});
