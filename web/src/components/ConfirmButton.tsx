import { useState, type ReactNode } from 'react';

// A button that asks once more in place before acting (no window.confirm, so tests can drive it).
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  testId,
  danger = true,
  disabled,
}: {
  label: ReactNode;
  question: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  testId: string;
  danger?: boolean;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn" data-testid={testId} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline-flex flex-wrap items-center gap-2 rounded-md border border-slate-300 bg-slate-50 px-2 py-1 text-sm">
      <span>{question}</span>
      <button
        type="button"
        className={danger ? 'btn btn-danger' : 'btn btn-primary'}
        data-testid={`${testId}-confirm`}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="btn" data-testid={`${testId}-dismiss`} onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
