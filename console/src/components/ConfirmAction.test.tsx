import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { Problem } from '../api';
import { ConfirmAction } from './ConfirmAction';

describe('ConfirmAction', () => {
  it('runs its action only once confirmed, and never when cancelled', async () => {
    const action = vi.fn(async () => undefined);
    render(<ConfirmAction label="Suspend" question="Suspend Acme?" action={action} />);
    fireEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(action).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    expect(screen.getByRole('group', { name: 'Suspend Acme?' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(action).toHaveBeenCalledTimes(1));
    await screen.findByRole('button', { name: 'Suspend' });
  });

  it('shows the problem of a refused action next to it', async () => {
    const action = vi.fn(async () => {
      throw new Problem(409, 'Conflict', 'Only an ACTIVE tenant can be suspended');
    });
    render(<ConfirmAction label="Suspend" question="Suspend Acme?" action={action} />);
    fireEvent.click(screen.getByRole('button', { name: 'Suspend' }));
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('Conflict — Only an ACTIVE tenant can be suspended'),
    );
  });
});
