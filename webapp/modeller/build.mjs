// Bundles the modeller (bpmn-js, its properties panel, bpmnlint) and the form
// editor into webapp/static/modeller/, which Flask serves. Run by `npm ci`
// (the "prepare" script) and `npm run build`.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

await esbuild.build({
  absWorkingDir: here,
  entryPoints: { modeller: 'src/modeller.jsx', 'form-editor': 'src/form-editor.js' },
  outdir: '../static/modeller',
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'dataurl' },
  logLevel: 'warning',
});
console.log('modeller bundle written to webapp/static/modeller/');
