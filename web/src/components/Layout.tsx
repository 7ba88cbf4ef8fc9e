import type { ReactNode } from 'react';
import { useStore } from '../hooks/useStore';
import { usePath } from '../hooks/useRoute';
import { paths } from '../lib/router';
import { connection } from '../state/connection';
import { Link } from './Link';

const NAV = [
  { href: paths.dashboard(), label: 'Dashboard', testId: 'nav-dashboard' },
  { href: paths.jobs(), label: 'Jobs', testId: 'nav-jobs' },
  { href: paths.clusters(), label: 'Clusters', testId: 'nav-clusters' },
];

export function ReconnectBanner() {
  const state = useStore(connection);
  if (state.reachable && state.live !== 'reconnecting') return null;
  return (
    <div data-testid="banner-reconnecting" role="status" className="bg-amber-100 px-4 py-1.5 text-center text-sm text-amber-900">
      {state.reachable ? 'Live updates lost; reconnecting…' : 'The sortie server is not answering; reconnecting…'}
    </div>
  );
}

export function Layout({ children, onSignOut }: { children: ReactNode; onSignOut?: () => void }) {
  const path = usePath();
  const active = (href: string) => (href === '/' ? path === '/' : path.startsWith(href));
  return (
    <div className="min-h-screen">
      <header className="sticky top-0 z-10 border-b border-slate-800 bg-slate-900 text-slate-100">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2">
          <Link href="/" className="mr-2 text-lg font-bold tracking-tight text-white" data-testid="nav-home">
            sortie
          </Link>
          <nav className="flex flex-wrap gap-1 text-sm">
            {NAV.map((item) => (
              <Link
                key={item.href}
                href={item.href}
                data-testid={item.testId}
                className={`rounded px-2 py-1 ${active(item.href) ? 'bg-slate-700 text-white' : 'text-slate-300 hover:text-white'}`}
              >
                {item.label}
              </Link>
            ))}
            <a href="/docs/" className="rounded px-2 py-1 text-slate-300 hover:text-white" data-testid="nav-api-docs">
              API
            </a>
          </nav>
          {onSignOut && (
            <button type="button" onClick={onSignOut} className="ml-auto text-xs text-slate-400 hover:text-white" data-testid="sign-out">
              Sign out
            </button>
          )}
        </div>
        <ReconnectBanner />
      </header>
      <main className="mx-auto max-w-6xl px-3 py-4">{children}</main>
    </div>
  );
}
