// Client-side checks of a launch, mirroring the server's (script::parse_time_request,
// script::parse_memory) so most mistakes are shown before anything is sent. The server checks
// again and its message is shown when it still refuses.

// Minutes asked for by a SLURM time (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`,
// `D-HH:MM:SS`; leftover seconds round up), or an error message.
export function parseTime(text: string): { minutes: number } | { error: string } {
  const trimmed = text.trim();
  const bad = {
    error: `'${trimmed}' is not a time limit: write minutes (90), HH:MM:SS or D-HH[:MM[:SS]]`,
  };
  if (/^(UNLIMITED|INFINITE)$/i.test(trimmed)) return { error: `'${trimmed}': a job needs a finite time limit` };
  const match = /^(?:(\d+)-)?(\d+(?::\d+){0,2})$/.exec(trimmed);
  if (!match) return bad;
  const days = match[1] === undefined ? null : Number(match[1]);
  const parts = match[2].split(':').map(Number);
  let hours = 0;
  let minutes = 0;
  let seconds = 0;
  if (days !== null) {
    [hours, minutes = 0, seconds = 0] = parts;
  } else if (parts.length === 1) {
    [minutes] = parts;
  } else if (parts.length === 2) {
    [minutes, seconds] = parts;
  } else {
    [hours, minutes, seconds] = parts;
  }
  if ((days ?? 0) > 1_000_000 || hours > 1_000_000 || minutes > 100_000_000 || seconds > 100_000_000) return bad;
  const total = (days ?? 0) * 24 * 60 + hours * 60 + minutes + Math.ceil(seconds / 60);
  if (total <= 0) return { error: 'The time limit must be at least one minute' };
  return { minutes: total };
}

// A SLURM memory size: digits and an optional unit K, M, G or T in either case. Returns the
// normalised form (upper-case unit) or an error message.
export function parseMemory(text: string): { memory: string } | { error: string } {
  const trimmed = text.trim();
  const match = /^(\d+)([kmgtKMGT]?)$/.exec(trimmed);
  if (!match) {
    return {
      error: `'${trimmed}' is not a memory size: write digits and an optional unit K, M, G or T (e.g. 64G)`,
    };
  }
  return { memory: match[1] + match[2].toUpperCase() };
}

// A whole number of at least `min` (1 unless told), or an error message naming `what`.
export function parseCount(text: string, what: string, min = 1): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < min || !Number.isSafeInteger(Number(trimmed))) {
    return { error: `${what} must be a whole number${min > 0 ? ` of at least ${min}` : ''}` };
  }
  return { value: Number(trimmed) };
}

// Splits a command line as a POSIX shell would into words: whitespace separates, '...' is
// literal, "..." keeps spaces and honours \" \\ \$ \`, a backslash outside quotes escapes the
// next character. Returns an error for an unterminated quote.
export function splitArguments(text: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: 'An argument has a quote (\') that is never closed' };
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) {
          word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed) return { error: 'An argument has a quote (") that is never closed' };
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      if (text[i + 1] !== '\n') word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return { words };
}

// Why `value` cannot be one word of an #SBATCH line (as script::directive_word_problem), or null.
export function directiveWordProblem(value: string): string | null {
  if (value === '') return 'is empty';
  for (const c of value) {
    const code = c.charCodeAt(0);
    if (c === '\n' || c === '\r') return 'contains a line break';
    if (c === ' ' || c === '\t') return 'contains a space';
    if (code < 0x20 || code === 0x7f) return 'contains a control character';
    if (c === "'" || c === '"' || c === '\\') return 'contains a quote or backslash';
  }
  return null;
}

// What the launch form holds, as typed.
export interface LaunchForm {
  cluster: string;
  partition: string;
  gpuType: string;
  gpus: string;
  nodes: string;
  cpusPerTask: string;
  memory: string;
  time: string;
  name: string;
  arguments: string;
  mode: '' | 'git' | 'snapshot';
  account: string;
  qos: string;
  constraint: string;
}

export type LaunchErrors = Partial<Record<keyof LaunchForm, string>>;

// Messages for the fields that would be refused, keyed by field; empty when all is well.
// Empty optional fields are fine (the cluster's defaults apply).
export function validateLaunch(form: LaunchForm): LaunchErrors {
  const errors: LaunchErrors = {};
  if (!form.cluster) errors.cluster = 'Choose a cluster';
  const gpus = form.gpus.trim() === '' ? null : parseCount(form.gpus, 'GPUs per node', 0);
  if (gpus && 'error' in gpus) errors.gpus = gpus.error;
  const nodes = form.nodes.trim() === '' ? null : parseCount(form.nodes, 'Nodes');
  if (nodes && 'error' in nodes) errors.nodes = nodes.error;
  const cpus = form.cpusPerTask.trim() === '' ? null : parseCount(form.cpusPerTask, 'CPUs per task');
  if (cpus && 'error' in cpus) errors.cpusPerTask = cpus.error;
  if (form.memory.trim() !== '') {
    const memory = parseMemory(form.memory);
    if ('error' in memory) errors.memory = memory.error;
  }
  if (form.time.trim() !== '') {
    const time = parseTime(form.time);
    if ('error' in time) errors.time = time.error;
  }
  for (const [field, label] of [
    ['name', 'The job name'],
    ['account', 'The account'],
    ['qos', 'The QOS'],
    ['constraint', 'The constraint'],
  ] as const) {
    const value = form[field].trim();
    const problem = value === '' ? null : directiveWordProblem(value);
    if (problem) errors[field] = `${label} '${value}' ${problem}: it goes on an #SBATCH line, which takes one plain word`;
  }
  const words = splitArguments(form.arguments);
  if ('error' in words) errors.arguments = words.error;
  return errors;
}
