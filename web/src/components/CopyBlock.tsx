import { useState } from 'react';

// Monospace text the user can copy: a command to run, a fingerprint, a script.
export function CopyBlock({ text, testId, dark = true }: { text: string; testId?: string; dark?: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="relative">
      <pre
        data-testid={testId}
        className={
          dark
            ? 'code-block select-all pr-16'
            : 'max-h-96 select-all overflow-auto pr-16 whitespace-pre-wrap break-all rounded-md border border-slate-300 bg-white p-3 font-mono text-xs'
        }
      >
        {text}
      </pre>
      <button type="button" onClick={copy} className="btn absolute right-2 top-2 px-2 py-0.5 text-xs" data-testid={testId ? `${testId}-copy` : undefined}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
