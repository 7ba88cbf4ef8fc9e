import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

// The API reference page served at /docs/: swagger-ui-dist's files copied next to a page and
// a script of our own. The server sends `script-src 'self'`, so the page has no inline script
// and loads nothing from outside.
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>sortie API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/init.js"></script>
  </body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger' });\n`;

const COPIED = ['swagger-ui.css', 'swagger-ui-bundle.js'];

export function swaggerDocs(): Plugin {
  let outDir = '';
  return {
    name: 'sortie-swagger-docs',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const require = createRequire(import.meta.url);
      const source: string = require('swagger-ui-dist').getAbsoluteFSPath();
      const target = path.join(outDir, 'docs');
      await mkdir(target, { recursive: true });
      for (const name of COPIED) await copyFile(path.join(source, name), path.join(target, name));
      await writeFile(path.join(target, 'index.html'), PAGE);
      await writeFile(path.join(target, 'init.js'), INIT);
    },
  };
}
