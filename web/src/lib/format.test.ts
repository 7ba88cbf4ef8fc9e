import { describe, expect, it } from 'vitest';
import { formatDuration, formatMinutes, isActive, jobStateLabel, jobTone, shellJoin, timeAgo } from './format';
import { backoffDelay } from './backoff';
import { matchRoute, paths } from './router';

describe('job states', () => {
  it('labels by SLURM state, else by phase', () => {
    expect(jobStateLabel({ phase: 'submitted', state: 'RUNNING' })).toBe('RUNNING');
    expect(jobStateLabel({ phase: 'submit_failed', state: null })).toBe('SUBMIT_FAILED');
    expect(jobStateLabel({ phase: 'submitting', state: null })).toBe('SUBMITTING');
  });

  it('tells active jobs from ended ones', () => {
    expect(isActive({ phase: 'submitting', state: null })).toBe(true);
    expect(isActive({ phase: 'submitted', state: 'PENDING' })).toBe(true);
    expect(isActive({ phase: 'submitted', state: 'OUT_OF_MEMORY' })).toBe(false);
    expect(isActive({ phase: 'submit_failed', state: null })).toBe(false);
    expect(jobTone({ phase: 'submitted', state: 'TIMEOUT' })).toBe('failed');
    expect(jobTone({ phase: 'submitted', state: 'COMPLETED' })).toBe('ok');
  });
});

describe('times', () => {
  it('formats durations and limits', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3h 05m');
    expect(formatDuration(2 * 86400 + 4 * 3600)).toBe('2d 4h');
    expect(formatDuration(null)).toBe('—');
    expect(formatMinutes(30)).toBe('30:00');
    expect(formatMinutes(120)).toBe('2:00:00');
    expect(formatMinutes(1440)).toBe('1-00:00:00');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(timeAgo('2026-01-10T11:59:50Z', now)).toBe('just now');
    expect(timeAgo('2026-01-10T11:55:00Z', now)).toBe('5 min ago');
    expect(timeAgo('2026-01-01T00:00:00Z', now)).toBe('2026-01-01');
  });
});

describe('backoffDelay', () => {
  it('doubles up to the maximum, less up to 20% jitter', () => {
    expect([0, 1, 2, 10].map((n) => backoffDelay(n, { random: () => 0 }))).toEqual([500, 1000, 2000, 15000]);
    expect(backoffDelay(0, { random: () => 1 })).toBe(400);
  });
});

describe('matchRoute', () => {
  it('matches every view and round-trips paths', () => {
    expect(matchRoute('/')).toEqual({ name: 'dashboard' });
    expect(matchRoute(paths.project(4))).toEqual({ name: 'project', id: 4 });
    expect(matchRoute(paths.launch(4) + '/')).toEqual({ name: 'launch', id: 4 });
    expect(matchRoute(paths.job(12))).toEqual({ name: 'job', id: 12 });
    expect(matchRoute(paths.cluster('della gpu'))).toEqual({ name: 'cluster', name_: 'della gpu' });
    expect(matchRoute('/nope')).toEqual({ name: 'not_found', path: '/nope' });
  });
});

describe('shellJoin', () => {
  it('quotes only words that need it', () => {
    expect(shellJoin(['python', 'train.py', 'model=vit', "name='a b'", '', 'x y'])).toBe(
      String.raw`python train.py model=vit 'name='\''a b'\''' '' 'x y'`,
    );
  });
});
