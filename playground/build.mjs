// Bundles the playground into static files that the gateway embeds:
//
//   node build.mjs OUT_DIR
//
// writes OUT_DIR/index.html and OUT_DIR/assets/playground-<hash>.{js,css}.
// The names carry a content hash, so the gateway can serve them as immutable;
// index.html names them. Fonts and icons are already inlined by GraphiQL's
// stylesheet (data: URLs), so the page loads nothing from anywhere else.
// gateway/build.rs runs this; run it by hand to look at the output.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv[2];
if (!outArg) {
  console.error('usage: node build.mjs OUT_DIR');
  process.exit(2);
}
const out = resolve(outArg);
const assets = join(out, 'assets');
// Old hashed files would otherwise be embedded too.
rmSync(assets, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { playground: 'src/main.jsx' },
  outdir: assets,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  loader: { '.graphql': 'text' },
  // React's production build, and nothing that expects a Node.js `process`.
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'eof',
  charset: 'utf8',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
const pick = (ext) => {
  const found = outputs.filter((file) => file.endsWith(ext));
  if (found.length !== 1) {
    throw new Error(`expected one ${ext} output, got ${JSON.stringify(outputs)}`);
  }
  return `/playground/${found[0]}`;
};
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replace('%SCRIPT%', pick('.js'))
  .replace('%STYLESHEET%', pick('.css'));
writeFileSync(join(out, 'index.html'), html);
console.log(`playground built into ${out}: ${outputs.join(', ')}`);
