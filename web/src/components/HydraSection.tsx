// The Hydra part of the launch form: group pickers, typed leaf values, added and deleted keys,
// sweeps; shows the overrides it builds, the composed config and how many tasks a sweep makes.
import { useMemo, useState } from 'react';
import { api } from '../api';
import type { HydraConfig } from '../api/types';
import { useDebouncedCall } from '../hooks/useDebouncedCall';
import { isSweep, type BuiltOverrides, type HydraForm, type Leaf } from '../lib/overrides';
import { ErrorBox } from './Status';

export interface SweepOptions {
  paired: boolean;
  parallelism: string;
}

export function HydraSection({
  projectId,
  config,
  leaves,
  form,
  setForm,
  built,
  sweep,
  setSweep,
}: {
  projectId: number;
  config: HydraConfig;
  leaves: Leaf[];
  form: HydraForm;
  setForm: (update: (previous: HydraForm) => HydraForm) => void;
  built: BuiltOverrides;
  sweep: SweepOptions;
  setSweep: (options: SweepOptions) => void;
}) {
  const [filter, setFilter] = useState('');
  const [showAll, setShowAll] = useState(false);
  const valid = Object.keys(built.errors).length === 0;
  const expansion = useDebouncedCall(
    valid && built.sweep ? { overrides: built.overrides, paired: sweep.paired } : null,
    (input) => api.hydra.expand(input.overrides, input.paired),
  );
  // A sweep composes its first task: the config a reader checks before launching many.
  const composeOverrides = !valid ? null : built.sweep ? expansion.data?.jobs[0] ?? null : built.overrides;
  const composed = useDebouncedCall(composeOverrides, (overrides) => api.hydra.compose(projectId, overrides));

  const deleted = new Set(form.deleted);
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const changed = (leaf: Leaf) => form.values[leaf.key] !== undefined || deleted.has(leaf.key);
    return leaves.filter((leaf) => (needle ? leaf.key.toLowerCase().includes(needle) : showAll || changed(leaf) || leaves.length <= 25));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [leaves, filter, showAll, form]);

  const setValue = (key: string, value: string | undefined) =>
    setForm((previous) => {
      const values = { ...previous.values };
      if (value === undefined) delete values[key];
      else values[key] = value;
      return { ...previous, values };
    });

  return (
    <section className="card" data-testid="hydra-section">
      <h2 className="card-title">
        Hydra config <span className="font-mono text-xs font-normal text-slate-500">{config.config_dir}/{config.config_name}</span>
      </h2>
      {config.groups.length > 0 && (
        <div className="mb-4 grid gap-3 sm:grid-cols-2">
          {config.groups.map((group) => {
            const chosen = form.groups[group.name] ?? (group.default ? [group.default] : []);
            return (
              <fieldset key={group.name} data-testid={`hydra-group-${group.name}`} className="rounded border border-slate-200 p-2">
                <legend className="px-1 font-mono text-sm font-semibold">{group.name}</legend>
                <div className="flex flex-wrap gap-x-3 gap-y-1">
                  {group.options.map((option) => (
                    <label key={option} className="flex items-center gap-1 text-sm">
                      <input
                        type="checkbox"
                        checked={chosen.includes(option)}
                        data-testid={`hydra-group-${group.name}-${option}`}
                        onChange={(event) => {
                          const next = event.target.checked ? [...chosen, option] : chosen.filter((item) => item !== option);
                          setForm((previous) => ({ ...previous, groups: { ...previous.groups, [group.name]: next } }));
                        }}
                      />
                      <span className="font-mono">{option}</span>
                      {option === group.default && <span className="text-xs text-slate-400">default</span>}
                    </label>
                  ))}
                </div>
                {chosen.length > 1 && <p className="mt-1 text-xs text-sky-800">Sweep over {chosen.length} options</p>}
              </fieldset>
            );
          })}
        </div>
      )}

      <div className="mb-2 flex flex-wrap items-center gap-2">
        <input className="input max-w-xs" placeholder="Find a key…" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="hydra-filter" />
        {leaves.length > 25 && !filter && (
          <button type="button" className="btn text-xs" onClick={() => setShowAll(!showAll)} data-testid="hydra-show-all">
            {showAll ? 'Show changed only' : `Show all ${leaves.length} keys`}
          </button>
        )}
      </div>
      <div data-testid="hydra-values" className="divide-y divide-slate-100">
            {shown.map((leaf) => {
              const typed = form.values[leaf.key];
              const isDeleted = deleted.has(leaf.key);
              const marked = form.sweeps[leaf.key] ?? false;
              const sweeping = typed !== undefined && isSweep(typed, leaf.type, marked);
              const changed = typed !== undefined && typed !== leaf.text;
              const error = built.errors[leaf.key];
              return (
                <div
                  key={leaf.key}
                  data-testid={`hydra-key-${leaf.key}`}
                  className={`grid grid-cols-1 gap-1 py-1.5 sm:grid-cols-[minmax(8rem,14rem)_minmax(0,1fr)_auto] sm:items-start sm:gap-3 ${changed || isDeleted ? 'bg-sky-50' : ''}`}
                >
                  <div className="break-all font-mono text-xs">
                    <span className={isDeleted ? 'line-through text-slate-400' : undefined}>{leaf.key}</span>
                    <span className="ml-2 text-[10px] text-slate-400 sm:ml-0 sm:block">{leaf.type}</span>
                  </div>
                  <div className="min-w-0">
                    {leaf.type === 'bool' && !sweeping && !marked ? (
                      <select
                        className="input font-mono"
                        value={(typed ?? leaf.text).toLowerCase()}
                        disabled={isDeleted}
                        onChange={(e) => setValue(leaf.key, e.target.value === leaf.text ? undefined : e.target.value)}
                        data-testid={`hydra-input-${leaf.key}`}
                      >
                        <option value="true">true</option>
                        <option value="false">false</option>
                      </select>
                    ) : (
                      <input
                        className={`input font-mono ${error ? 'input-error' : ''}`}
                        value={typed ?? leaf.text}
                        disabled={isDeleted}
                        placeholder={marked ? 'a,b,c' : undefined}
                        onChange={(e) => setValue(leaf.key, e.target.value === leaf.text && !marked ? undefined : e.target.value)}
                        data-testid={`hydra-input-${leaf.key}`}
                      />
                    )}
                    {error && <p className="mt-0.5 text-xs text-rose-700">{error}</p>}
                    {sweeping && !error && <p className="mt-0.5 text-xs text-sky-800">sweep</p>}
                  </div>
                  <div className="whitespace-nowrap pt-1 text-xs">
                    <label className="mr-2 inline-flex items-center gap-1" title="Treat the value as a sweep (comma list, range(...))">
                      <input
                        type="checkbox"
                        checked={marked}
                        disabled={isDeleted}
                        onChange={(e) => setForm((previous) => ({ ...previous, sweeps: { ...previous.sweeps, [leaf.key]: e.target.checked } }))}
                        data-testid={`hydra-sweep-${leaf.key}`}
                      />
                      sweep
                    </label>
                    {changed && !isDeleted && (
                      <button type="button" className="link mr-2" onClick={() => setValue(leaf.key, undefined)}>
                        reset
                      </button>
                    )}
                    <button
                      type="button"
                      className="link"
                      data-testid={`hydra-delete-${leaf.key}`}
                      onClick={() =>
                        setForm((previous) => ({
                          ...previous,
                          deleted: isDeleted ? previous.deleted.filter((key) => key !== leaf.key) : [...previous.deleted, leaf.key],
                        }))
                      }
                    >
                      {isDeleted ? 'keep' : 'delete'}
                    </button>
                  </div>
                </div>
              );
            })}
            {shown.length === 0 && <p className="py-2 text-sm text-slate-500">{filter ? 'No key matches.' : 'No values changed yet.'}</p>}
      </div>

      <div className="mt-3">
        <p className="label">Add keys (+key=value)</p>
        {form.added.map((entry, index) => (
          <div key={index} className="mb-1 flex flex-wrap items-start gap-2" data-testid={`hydra-added-${index}`}>
            <input
              className="input w-40 flex-1 font-mono"
              placeholder="trainer.precision"
              value={entry.key}
              onChange={(e) => setForm((previous) => ({ ...previous, added: previous.added.map((item, i) => (i === index ? { ...item, key: e.target.value } : item)) }))}
              data-testid={`hydra-added-key-${index}`}
            />
            <input
              className="input w-40 flex-1 font-mono"
              placeholder="bf16"
              value={entry.value}
              onChange={(e) => setForm((previous) => ({ ...previous, added: previous.added.map((item, i) => (i === index ? { ...item, value: e.target.value } : item)) }))}
              data-testid={`hydra-added-value-${index}`}
            />
            <button type="button" className="btn" onClick={() => setForm((previous) => ({ ...previous, added: previous.added.filter((_, i) => i !== index) }))}>
              Remove
            </button>
            {built.errors[`added:${index}`] && <p className="w-full text-xs text-rose-700">{built.errors[`added:${index}`]}</p>}
          </div>
        ))}
        <button type="button" className="btn text-xs" onClick={() => setForm((previous) => ({ ...previous, added: [...previous.added, { key: '', value: '' }] }))} data-testid="hydra-add-key">
          Add a key
        </button>
      </div>

      <div className="mt-4">
        <p className="label">Overrides</p>
        {built.overrides.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="hydra-overrides">
            None: the default config.
          </p>
        ) : (
          <ul className="flex flex-wrap gap-1" data-testid="hydra-overrides">
            {built.overrides.map((override) => (
              <li key={override} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
                {override}
              </li>
            ))}
          </ul>
        )}
      </div>

      {built.sweep && (
        <div className="mt-3 flex flex-wrap items-end gap-4 rounded border border-sky-200 bg-sky-50 p-2 text-sm" data-testid="hydra-sweep">
          <span data-testid="hydra-task-count">
            {expansion.error
              ? 'Sweep not valid'
              : expansion.data
                ? `${expansion.data.count} task${expansion.data.count === 1 ? '' : 's'}`
                : 'Counting tasks…'}
          </span>
          <label className="flex items-center gap-1">
            <input type="checkbox" checked={sweep.paired} onChange={(e) => setSweep({ ...sweep, paired: e.target.checked })} data-testid="hydra-paired" />
            paired (zip the lists instead of all combinations)
          </label>
          <label className="flex items-center gap-1">
            at most
            <input className="input w-16" inputMode="numeric" value={sweep.parallelism} onChange={(e) => setSweep({ ...sweep, parallelism: e.target.value })} data-testid="hydra-parallelism" />
            at once
          </label>
          {expansion.error && <ErrorBox error={expansion.error} testId="hydra-expand-error" />}
        </div>
      )}

      {composed.error && <ErrorBox error={composed.error} testId="hydra-compose-error" />}
      <details className="mt-3">
        <summary className="cursor-pointer text-sm font-medium text-slate-700">
          Composed config{built.sweep ? ' (first task)' : ''} {composed.pending && <span className="text-xs text-slate-400">updating…</span>}
        </summary>
        {composed.data && (
          <pre className="code-block mt-2" data-testid="hydra-composed">
            {JSON.stringify(composed.data.config, null, 2)}
          </pre>
        )}
      </details>
    </section>
  );
}
