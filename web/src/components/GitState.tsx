import type { GitState as Git } from '../api/types';
import { shortCommit } from '../lib/format';
import { Notice } from './Status';

// Says which code a launch would run now, and warns about what makes it differ from the
// pushed commit.
export function GitState({ git }: { git: Git }) {
  const changed = git.changed_files ?? [];
  const delivery = git.delivery ?? (git.pushed && changed.length === 0 ? 'git' : 'snapshot');
  return (
    <div data-testid="project-git">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-500">Branch</dt>
        <dd className="font-mono" data-testid="git-branch">
          {git.detached ? 'detached HEAD' : git.branch ?? '—'}
          {git.upstream ? <span className="text-slate-500"> → {git.upstream}</span> : null}
        </dd>
        <dt className="text-slate-500">Commit</dt>
        <dd className="min-w-0">
          <span className="font-mono" data-testid="git-commit">
            {shortCommit(git.commit)}
          </span>{' '}
          {git.summary && <span className="break-words text-slate-600">{git.summary}</span>}
        </dd>
      </dl>
      {delivery === 'git' ? (
        <Notice tone="ok" testId="git-delivery">
          A launch now runs the pushed commit <span className="font-mono">{shortCommit(git.commit)}</span> (git mode): the cluster
          clones it.
        </Notice>
      ) : (
        <Notice tone="warn" testId="git-delivery">
          A launch now uploads a <strong>snapshot</strong> of the working tree (snapshot mode), because{' '}
          {[changed.length > 0 ? 'there are uncommitted changes' : null, !git.pushed ? 'the commit is not pushed' : null]
            .filter(Boolean)
            .join(' and ') || 'the commit cannot be fetched by the cluster'}
          . The job records the exact snapshot, so it can be rerun.
        </Notice>
      )}
      {!git.pushed && (
        <Notice tone="warn" testId="git-warning-unpushed">
          Commit not pushed{git.ahead ? `: ${git.ahead} commit${git.ahead === 1 ? '' : 's'} ahead of ${git.upstream ?? 'the remote'}` : ''}.
          Push it to launch in git mode.
        </Notice>
      )}
      {git.behind ? (
        <Notice tone="info" testId="git-warning-behind">
          {git.behind} commit{git.behind === 1 ? '' : 's'} behind {git.upstream ?? 'the remote'}.
        </Notice>
      ) : null}
      {changed.length > 0 && (
        <div data-testid="git-warning-uncommitted">
          <Notice tone="warn">
            {changed.length} uncommitted change{changed.length === 1 ? '' : 's'}:
          </Notice>
          <ul className="max-h-48 overflow-auto rounded border border-slate-200 bg-slate-50 p-2 font-mono text-xs">
            {changed.map((file) => (
              <li key={`${file.status}:${file.path}`} className="break-all">
                <span className="inline-block w-20 text-slate-500">{file.status}</span>
                {file.old_path ? `${file.old_path} → ` : ''}
                {file.path}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
