// How jobs, times and durations read on screen.
import type { Job } from '../api/types';

export type Tone = 'pending' | 'running' | 'ok' | 'failed' | 'cancelled' | 'neutral';

const ACTIVE_STATES = new Set([
  'PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'RESIZING', 'SUSPENDED', 'SIGNALING', 'STAGE_OUT', 'STOPPED',
]);
const FAILED_STATES = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'REVOKED', 'SPECIAL_EXIT']);

// The one word shown for a job: its SLURM state, else its submission phase.
export function jobStateLabel(job: Pick<Job, 'phase' | 'state'>): string {
  if (job.state) return job.state;
  if (job.phase === 'submit_failed') return 'SUBMIT_FAILED';
  if (job.phase === 'submitting') return 'SUBMITTING';
  return 'SUBMITTED';
}

export function jobTone(job: Pick<Job, 'phase' | 'state'>): Tone {
  if (job.phase === 'submit_failed') return 'failed';
  if (!job.state) return 'pending';
  if (job.state === 'COMPLETED') return 'ok';
  if (job.state === 'CANCELLED') return 'cancelled';
  if (FAILED_STATES.has(job.state)) return 'failed';
  if (job.state === 'PENDING' || job.state === 'REQUEUED' || job.state === 'CONFIGURING') return 'pending';
  if (ACTIVE_STATES.has(job.state)) return 'running';
  return 'neutral';
}

// True while the job may still change: submitting, or known to SLURM and not ended.
export function isActive(job: Pick<Job, 'phase' | 'state'>): boolean {
  if (job.phase === 'submitting') return true;
  if (job.phase === 'submit_failed') return false;
  return job.state === null || ACTIVE_STATES.has(job.state);
}

export const toneClasses: Record<Tone, string> = {
  pending: 'bg-amber-100 text-amber-900 ring-amber-300',
  running: 'bg-sky-100 text-sky-900 ring-sky-300',
  ok: 'bg-emerald-100 text-emerald-900 ring-emerald-300',
  failed: 'bg-rose-100 text-rose-900 ring-rose-300',
  cancelled: 'bg-slate-200 text-slate-800 ring-slate-300',
  neutral: 'bg-slate-100 text-slate-800 ring-slate-300',
};

// "3h 05m", "42s", "2d 4h".
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

// A time limit in minutes as SLURM writes it: "30:00", "2:00:00", "1-00:00:00".
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}-${two(hours)}:${two(rest)}:00`;
  if (hours > 0) return `${hours}:${two(rest)}:00`;
  return `${rest}:00`;
}

// "just now", "5 min ago", "3 h ago", "2 d ago"; the date beyond a week.
export function timeAgo(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 7 * 86400) return `${Math.round(seconds / 86400)} d ago`;
  return iso.slice(0, 10);
}

export function shortCommit(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 10) : '—';
}

// A command line as a shell would read it back: words with anything but safe characters are
// single-quoted, for display and copying.
export function shellJoin(words: string[]): string {
  return words
    .map((word) => (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
