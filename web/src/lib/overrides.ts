// Hydra overrides from the launch form's Hydra section: only what differs from the composed
// default config becomes an override, rendered in Hydra's grammar.
import type { ConfigValue, GroupInfo, HydraConfig, LeafType } from '../api/types';

export interface Leaf {
  key: string;
  type: LeafType;
  value: ConfigValue;
  // The value as the form shows it, and as an override would write it.
  text: string;
}

export interface HydraForm {
  // Options chosen per group; more than one is a sweep over them.
  groups: Record<string, string[]>;
  // Text typed per leaf key (absent: untouched).
  values: Record<string, string>;
  // Keys whose text is a sweep (`1,2,3`, `range(1,4)`), written as typed.
  sweeps: Record<string, boolean>;
  added: { key: string; value: string }[];
  deleted: string[];
}

export const emptyHydraForm: HydraForm = { groups: {}, values: {}, sweeps: {}, added: [], deleted: [] };

const KEYWORD = /^(true|false|null|inf|-inf|\+inf|nan)$/i;
const NUMBER = /^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const BARE = /^[A-Za-z0-9_./@%~?*+-]+$/;

// Hydra's single-quoted form: backslashes before a quote (or the end) doubled, quotes escaped.
function singleQuoted(text: string): string {
  let out = "'";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\\') {
      let run = i;
      while (run < text.length && text[run] === '\\') run++;
      const beforeQuote = run === text.length || text[run] === "'";
      out += '\\'.repeat(beforeQuote ? (run - i) * 2 : run - i);
      i = run;
    } else if (text[i] === "'") {
      out += "\\'";
      i++;
    } else {
      out += text[i++];
    }
  }
  return `${out}'`;
}

// A string as an override value: bare when Hydra reads it back as the same string, else
// single-quoted ('1', 'true', 'a b', 'x,y').
export function renderString(text: string): string {
  if (text === '') return "''";
  if (BARE.test(text) && !KEYWORD.test(text) && !NUMBER.test(text) && !text.startsWith('~') && !text.startsWith('+')) return text;
  return singleQuoted(text);
}

function renderFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return value.toFixed(1);
  return String(value);
}

// A config value in Hydra's grammar; `type` tells a float that JSON wrote as `1` from an int.
export function renderValue(value: ConfigValue, type?: LeafType): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return type === 'float' ? renderFloat(value) : String(value);
  if (typeof value === 'string') return renderString(value);
  if (Array.isArray(value)) return `[${value.map((item) => renderValue(item)).join(',')}]`;
  if ('float' in value && Object.keys(value).length === 1 && typeof value.float === 'string') return value.float;
  return `{${Object.entries(value)
    .map(([key, item]) => `${key}:${renderValue(item)}`)
    .join(',')}}`;
}

function typeOf(value: ConfigValue): LeafType {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  if ('float' in value && Object.keys(value).length === 1) return 'float';
  return 'dict';
}

// The config's leaves by dotted key, in the config's order. Lists and empty dicts are leaves
// (edited as Hydra text); `types` from the server wins over what JSON suggests.
export function flattenConfig(config: HydraConfig['config'], types: HydraConfig['types'] = {}): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (value: ConfigValue, key: string) => {
    const type = types[key] ?? typeOf(value);
    const isDict = typeOf(value) === 'dict' && Object.keys(value as object).length > 0;
    if (isDict) {
      for (const [child, item] of Object.entries(value as Record<string, ConfigValue>)) walk(item, key ? `${key}.${child}` : child);
      return;
    }
    leaves.push({ key, type, value, text: type === 'str' && typeof value === 'string' ? value : renderValue(value, type) });
  };
  for (const [key, value] of Object.entries(config)) walk(value, key);
  return leaves;
}

// The override value for text typed into a leaf of `type`, or an error message.
export function typedValue(text: string, type: LeafType): { value: string } | { error: string } {
  const trimmed = text.trim();
  switch (type) {
    case 'int':
      return /^[-+]?\d+$/.test(trimmed) ? { value: trimmed } : { error: 'must be a whole number' };
    case 'float':
      return NUMBER.test(trimmed) || /^[-+]?(inf|nan)$/i.test(trimmed) ? { value: trimmed } : { error: 'must be a number' };
    case 'bool':
      return /^(true|false)$/i.test(trimmed) ? { value: trimmed.toLowerCase() } : { error: 'must be true or false' };
    case 'str':
      return { value: renderString(text) };
    default:
      return trimmed === '' ? { error: 'needs a value (write null for none)' } : { value: trimmed };
  }
}

// Whether text typed into a leaf is a sweep: marked as one, a sweep function, or a comma list
// in a number or bool field (where a comma cannot be part of one value).
export function isSweep(text: string, type: LeafType, marked: boolean): boolean {
  if (marked) return true;
  const trimmed = text.trim();
  if (/^(range|choice|glob)\(/.test(trimmed)) return true;
  return (type === 'int' || type === 'float' || type === 'bool') && trimmed.includes(',');
}

export interface BuiltOverrides {
  overrides: string[];
  // Problems by key (a leaf key, `group:NAME`, `added:INDEX`).
  errors: Record<string, string>;
  // Whether any override is a sweep (so the launch is a multirun).
  sweep: boolean;
}

// The overrides the form stands for, in a stable order: groups (as the server lists them),
// changed leaves (in config order), added keys, deleted keys.
export function buildOverrides(groups: GroupInfo[], leaves: Leaf[], form: HydraForm): BuiltOverrides {
  const overrides: string[] = [];
  const errors: Record<string, string> = {};
  let sweep = false;
  for (const group of groups) {
    const chosen = form.groups[group.name];
    if (!chosen || chosen.length === 0) continue;
    if (chosen.length === 1 && chosen[0] === group.default) continue;
    if (chosen.length > 1) sweep = true;
    const prefix = group.default === null ? '+' : '';
    overrides.push(`${prefix}${group.name}=${chosen.join(',')}`);
  }
  const deleted = new Set(form.deleted);
  for (const leaf of leaves) {
    const typed = form.values[leaf.key];
    if (typed === undefined || deleted.has(leaf.key)) continue;
    if (isSweep(typed, leaf.type, form.sweeps[leaf.key] ?? false)) {
      if (typed.trim() === '') {
        errors[leaf.key] = 'a sweep needs values, e.g. 1,2,3';
        continue;
      }
      sweep = true;
      overrides.push(`${leaf.key}=${typed.trim()}`);
      continue;
    }
    if (typed === leaf.text || (leaf.type !== 'str' && typed.trim() === leaf.text)) continue;
    const value = typedValue(typed, leaf.type);
    if ('error' in value) errors[leaf.key] = `${leaf.key} ${value.error}`;
    else overrides.push(`${leaf.key}=${value.value}`);
  }
  form.added.forEach((entry, index) => {
    const key = entry.key.trim();
    if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(key)) {
      errors[`added:${index}`] = `'${key}' is not a config key (write e.g. trainer.seed)`;
      return;
    }
    if (entry.value.trim() === '') {
      errors[`added:${index}`] = `+${key} needs a value`;
      return;
    }
    overrides.push(`+${key}=${entry.value.trim()}`);
  });
  for (const key of form.deleted) overrides.push(`~${key}`);
  return { overrides, errors, sweep };
}
