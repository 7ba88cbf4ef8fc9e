// Path routing on the History API: navigate() pushes a path, useRoute() re-renders on change.
import { useSyncExternalStore } from 'react';
import { matchRoute, type Route } from '../lib/router';

const CHANGE = 'sortie:navigate';

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  window.addEventListener(CHANGE, listener);
  return () => {
    window.removeEventListener('popstate', listener);
    window.removeEventListener(CHANGE, listener);
  };
}

const currentPath = () => window.location.pathname;

export function usePath(): string {
  return useSyncExternalStore(subscribe, currentPath, currentPath);
}

export function useRoute(): Route {
  return matchRoute(usePath());
}

const currentSearch = () => window.location.search;

// The query string's parameters (for filters and pages kept in the URL).
export function useSearchParams(): [URLSearchParams, (changes: Record<string, string | null>) => void] {
  const search = useSyncExternalStore(subscribe, currentSearch, currentSearch);
  const params = new URLSearchParams(search);
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    const query = next.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? `?${query}` : ''));
    window.dispatchEvent(new Event(CHANGE));
  };
  return [params, update];
}
