import { useState, type FormEvent } from 'react';
import { api } from '../api';
import type { ApiError } from '../api/client';
import { ErrorBox } from '../components/Status';
import { signedIn } from '../state/auth';

export function SignInPage() {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.session.signIn(token.trim());
      setToken('');
      signedIn();
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex min-h-screen items-center justify-center bg-slate-100 p-4">
      <form onSubmit={submit} className="card w-full max-w-sm" data-testid="sign-in-form">
        <h1 className="mb-1 text-xl font-bold">sortie</h1>
        <p className="mb-4 text-sm text-slate-600">This server asks for its access token (printed by <code>sortie serve</code> at start).</p>
        <label className="label" htmlFor="token">
          Token
        </label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          className="input font-mono"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          data-testid="sign-in-token"
          autoFocus
        />
        {error && <ErrorBox error={error} testId="sign-in-error" />}
        <button type="submit" className="btn btn-primary mt-4 w-full" disabled={busy || token.trim() === ''} data-testid="sign-in-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
