// Bundles the modeller (bpmn-js, its properties panel, bpmnlint) and the form
// editor into webapp/static/modeller/, and the auditors' path viewer (bpmn-js
// NavigatedViewer) into webapp/static/viewer/, which Flask serves. Run by
// `npm ci` (the "prepare" script) and `npm run build`; `node build.mjs viewer`
// builds only the viewer.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv[2];

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['es2020'],
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'dataurl' },
  logLevel: 'warning',
};

if (!only || only === 'modeller') {
  await esbuild.build({
    ...common,
    entryPoints: { modeller: 'src/modeller.jsx', 'form-editor': 'src/form-editor.js' },
    outdir: '../static/modeller',
    jsx: 'automatic',
    jsxImportSource: '@bpmn-io/properties-panel/preact',
  });
  console.log('modeller bundle written to webapp/static/modeller/');
}
if (!only || only === 'viewer') {
  await esbuild.build({ ...common, entryPoints: { viewer: 'src/viewer.js' }, outdir: '../static/viewer' });
  console.log('viewer bundle written to webapp/static/viewer/');
}
