// Sign-in: calls that got 401 wait here until the user signs in; then they are made again.
import { createStore } from '../lib/store';

export const signInNeeded = createStore(false);

let waiters: (() => void)[] = [];

// Shows the sign-in page and resolves once the user has signed in.
export function waitForSignIn(): Promise<void> {
  signInNeeded.set(true);
  return new Promise((resolve) => waiters.push(resolve));
}

// Called after a successful POST /api/session: hides the page and releases waiting calls.
export function signedIn(): void {
  signInNeeded.set(false);
  const released = waiters;
  waiters = [];
  for (const resolve of released) resolve();
}
