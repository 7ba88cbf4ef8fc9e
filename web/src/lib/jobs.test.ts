import { describe, expect, it } from 'vitest';
import type { Job, Page } from '../api/types';
import { applyJobEvent } from './jobs';

const job = (id: number, state: string | null, extra: Partial<Job> = {}) =>
  ({ id, state, phase: 'submitted', project_id: 1, cluster: 'della', sweep_id: null, ...extra }) as Job;
const page: Page<Job> = { items: [job(3, 'PENDING'), job(2, 'RUNNING')], total: 2 };

describe('applyJobEvent', () => {
  it('replaces a shown job in place', () => {
    const next = applyJobEvent(page, job(3, 'RUNNING'), {}, 0);
    expect(next).not.toBe('reload');
    expect((next as Page<Job>).items.map((j) => j.state)).toEqual(['RUNNING', 'RUNNING']);
  });

  it('reloads when a new job belongs on the first page, or a shown one leaves the filter', () => {
    expect(applyJobEvent(page, job(4, null), { project_id: 1 }, 0)).toBe('reload');
    expect(applyJobEvent(page, job(3, 'RUNNING'), { state: 'PENDING' }, 0)).toBe('reload');
  });

  it('ignores jobs of other filters and new jobs when an older page is shown', () => {
    expect(applyJobEvent(page, job(4, null, { project_id: 2 }), { project_id: 1 }, 0)).toBeNull();
    expect(applyJobEvent(page, job(4, null), {}, 50)).toBeNull();
  });
});
