// Keeping a shown page of jobs current from the live stream's job events.
import type { Job, JobFilter, Page } from '../api/types';

export function matchesFilter(job: Job, filter: JobFilter): boolean {
  if (filter.project_id !== undefined && job.project_id !== filter.project_id) return false;
  if (filter.cluster && job.cluster !== filter.cluster) return false;
  if (filter.state && job.state !== filter.state) return false;
  if (filter.sweep_id !== undefined && String(job.sweep_id) !== String(filter.sweep_id)) return false;
  return true;
}

// What a job event does to a page at `offset` of the list filtered by `filter`: the page with
// the job replaced in place; 'reload' when the page's contents change (a new job on the first
// page, a shown job leaving the filter); null when the page is unaffected.
export function applyJobEvent(page: Page<Job>, job: Job, filter: JobFilter, offset: number): Page<Job> | 'reload' | null {
  const index = page.items.findIndex((item) => item.id === job.id);
  if (index >= 0) {
    if (!matchesFilter(job, filter)) return 'reload';
    const items = page.items.slice();
    items[index] = job;
    return { ...page, items };
  }
  return offset === 0 && matchesFilter(job, filter) ? 'reload' : null;
}
