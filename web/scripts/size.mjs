// Prints the gzip-compressed size of the UI's JavaScript and fails above the budget.
// The API reference under docs/ (swagger-ui) is loaded only on /docs/, so it is reported apart
// and not counted against the first-load budget.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const outDir = path.resolve(process.env.SORTIE_WEB_OUT ?? '../build/web');

function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return jsFiles(full);
    return name.endsWith('.js') ? [full] : [];
  });
}

let files;
try {
  files = jsFiles(outDir);
} catch {
  console.error(`size: no build at ${outDir}; run \`npm run build\` first`);
  process.exit(1);
}
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
let app = 0;
let docs = 0;
for (const file of files.sort()) {
  const relative = path.relative(outDir, file);
  const gzipped = gzipSync(readFileSync(file), { level: 9 }).length;
  const isDocs = relative.startsWith(`docs${path.sep}`);
  if (isDocs) docs += gzipped;
  else app += gzipped;
  console.log(`${kib(gzipped).padStart(11)}  ${relative}${isDocs ? '  (API reference, not first load)' : ''}`);
}
console.log(`app JS total (gzip): ${kib(app)} of ${kib(BUDGET)} budget`);
console.log(`docs/ JS total (gzip): ${kib(docs)}`);
if (app > BUDGET) {
  console.error(`size: app JS is ${kib(app)} gzipped, above the ${kib(BUDGET)} budget`);
  process.exit(1);
}
