import type { Job } from '../api/types';
import { jobStateLabel, jobTone, toneClasses } from '../lib/format';

export function StateBadge({ job }: { job: Pick<Job, 'phase' | 'state' | 'reason'> }) {
  const label = jobStateLabel(job);
  return (
    <span
      data-testid="job-state"
      data-state={label}
      title={job.reason ?? undefined}
      className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 font-mono text-[11px] font-semibold ring-1 ring-inset ${toneClasses[jobTone(job)]}`}
    >
      {label}
    </span>
  );
}
