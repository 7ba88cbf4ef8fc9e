import { useState } from 'react';
import { api } from '../api';
import type { ApiError } from '../api/client';
import type { ConnectionTest as Result } from '../api/types';
import { CopyBlock } from './CopyBlock';
import { ErrorBox } from './Status';

// Connects to the cluster and says exactly what failed; an unknown host key's message (with the
// fingerprint and the command to trust it) is shown as copyable monospace text.
export function ConnectionTest({ cluster }: { cluster: string }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(await api.clusters.testConnection(cluster));
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid="connection-test">
      <button type="button" className="btn" onClick={run} disabled={busy} data-testid="cluster-test-connection">
        {busy ? 'Connecting…' : 'Test connection'}
      </button>
      {result?.ok && (
        <p className="mt-2 text-sm text-emerald-800" data-testid="connection-ok">
          Connected in {Math.round(result.latency_ms)} ms · SLURM {result.slurm_version}
        </p>
      )}
      {result && !result.ok && (
        <div className="mt-2 rounded-md border border-rose-200 bg-rose-50 p-2" data-testid="connection-failed">
          <p className="mb-1 text-sm font-semibold text-rose-900">
            Connection failed <span className="font-mono text-xs font-normal">({result.error.code})</span>
          </p>
          <CopyBlock text={result.error.message} testId="connection-error-message" dark={false} />
        </div>
      )}
      {error && <ErrorBox error={error} testId="connection-error" />}
    </div>
  );
}
