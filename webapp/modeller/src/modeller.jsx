// The process owner's modeller page: bpmn-js with the properties panel, the
// CourseFlow property group and lint. Saving sends the XML to the server,
// which runs the engine's full deploy checks; problems are listed and
// marked on their elements, and nothing invalid is deployed.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import minimapModule from 'diagram-js-minimap';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import 'diagram-js-minimap/assets/diagram-js-minimap.css';
import './modeller.css';

import spiffworkflow from './spiffworkflow.json';
import CourseFlowPropertiesProvider from './properties';
import { lintConfig } from './lint';

const courseflowPropertiesModule = {
  __init__: ['courseflowPropertiesProvider'],
  courseflowPropertiesProvider: ['type', CourseFlowPropertiesProvider],
};

const settings = JSON.parse(document.getElementById('modeller-settings').textContent);
const resultBox = document.getElementById('modeller-result');
const noteInput = document.getElementById('modeller-note');
const labels = settings.labels;
// Zoom at which the diagram's labels stay readable, and the room the palette takes at the canvas's left.
const LEGIBLE = 0.85;
const PALETTE = 120;
const MARGIN = 20;

const modeler = new Modeler({
  container: '#modeller-canvas',
  propertiesPanel: {
    parent: '#modeller-properties',
    layout: { groups: { general: { open: true }, courseflow: { open: true }, timer: { open: true } } },
  },
  additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, courseflowPropertiesModule, lintModule,
    minimapModule],
  moddleExtensions: { spiffworkflow },
  exporter: { name: 'CourseFlow', version: '1' },
  linting: { bpmnlint: lintConfig(settings), active: true },
  courseflow: settings,
});

let marked = [];
let importWarnings = [];
let baseVersion = settings.baseVersion;  // the version this diagram is an edit of
let dirty = false;  // edits not deployed yet

function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function clearProblems() {
  const canvas = modeler.get('canvas');
  marked.forEach((id) => ['cf-invalid', 'cf-changed'].forEach((marker) => canvas.removeMarker(id, marker)));
  modeler.get('overlays').remove({ type: 'cf-problem' });
  marked = [];
}

// The drawn element a problem is about: the element itself, or the shape that
// holds it (a timer's definition, a loop's characteristics, a condition).
function drawnElement(id) {
  const registry = modeler.get('elementRegistry');
  if (!id) {
    return null;
  }
  return registry.get(id) || registry.find((element) => holds(element.businessObject, id, 3)) || null;
}

function holds(moddleElement, id, depth) {
  if (!moddleElement || !moddleElement.$descriptor || depth < 0) {
    return false;
  }
  // contained elements only: references (flows' targets, lanes' nodes) belong to other shapes
  return moddleElement.$descriptor.properties.filter((p) => !p.isReference && !p.isAttr).some((p) => {
    const value = moddleElement.get(p.name);
    return (Array.isArray(value) ? value : [value]).some((child) =>
      child && child.$type && (child.id === id || holds(child, id, depth - 1)));
  });
}

function markProblems(problems, marker = 'cf-invalid') {
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  problems.forEach((problem) => {
    const element = drawnElement(problem.element);
    if (!element || marked.includes(element.id)) {
      return;
    }
    canvas.addMarker(element.id, marker);
    const badge = document.createElement('span');
    badge.className = `cf-problem-badge ${marker}`;
    badge.title = problem.message;
    badge.textContent = '!';
    overlays.add(element.id, 'cf-problem', { position: { top: -10, left: -10 }, html: badge });
    marked.push(element.id);
  });
}

function show(kind, title, items, extra = []) {
  resultBox.className = `modeller-result ${kind}`;
  resultBox.replaceChildren();
  const heading = document.createElement('p');
  heading.textContent = title;
  resultBox.append(heading);
  if (items.length) {
    const list = document.createElement('ul');
    items.forEach(({ text, element }) => {
      const item = document.createElement('li');
      item.textContent = text;
      const drawn = drawnElement(element);
      if (drawn) {
        item.dataset.element = drawn.id;
        item.classList.add('jump');
        item.addEventListener('click', () => select(drawn.id));
      }
      list.append(item);
    });
    resultBox.append(list);
  }
  resultBox.append(...extra);
}

function link(text, href, className) {
  const anchor = document.createElement('a');
  anchor.textContent = text;
  anchor.href = href;
  anchor.className = className;
  return anchor;
}

function button(text, className, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.className = className;
  element.addEventListener('click', onClick);
  return element;
}

function paragraph(...children) {
  const element = document.createElement('p');
  element.append(...children);
  return element;
}

function changeText(change) {
  const where = change.process_id !== settings.processId ? ` (${change.process_id})` : '';
  const name = change.name ? ` “${change.name}”` : '';
  const detail = change.detail ? `: ${change.detail}` : '';
  return `${labels.kinds[change.kind] || change.kind} ${change.element_type} ${change.element_id}${name}${where}${detail}`;
}

// Nothing was deployed: a newer version exists than the one opened. Say what deploying would change, and let
// the owner confirm or open the newest instead.
function showConflict(report) {
  const { conflict } = report;
  const title = fmt(labels.conflict, {
    base: conflict.base_version, newest: conflict.newest_version, by: conflict.deployed_by || '—',
    at: conflict.deployed_at.slice(0, 16).replace('T', ' '),
  });
  const extra = conflict.changes.length ? [] : [paragraph(labels.conflictLayout)];
  if (conflict.note) {
    extra.push(paragraph(`${labels.conflictNote} ${conflict.note}`));
  }
  extra.push(paragraph(
    button(labels.deployAnyway, 'modeller-confirm', () => save({ confirm: true })), ' ',
    link(fmt(labels.openNewest, { v: conflict.newest_version }), report.edit_url, 'modeller-open-newest'),
  ));
  markProblems(conflict.changes.map((c) => ({ element: c.element_id, message: changeText(c) })), 'cf-changed');
  show('error conflict', title, conflict.changes.map((c) => ({ text: changeText(c), element: c.element_id })), extra);
}

// After a deploy the page speaks of the newest version: header, version links, its changes and migration.
function becameCurrent(report) {
  if (report.newest_version === undefined) {
    return;
  }
  baseVersion = report.newest_version;
  document.getElementById('modeller-opened').textContent = fmt(labels.opened, { v: baseVersion });
  document.querySelectorAll('.stale').forEach((element) => element.remove());
  const links = document.getElementById('modeller-version-links');
  let current = [...links.querySelectorAll('a')].find((a) => a.textContent === String(baseVersion));
  if (!current) {
    current = link(String(baseVersion), report.edit_url, '');
    links.append(current, ' ');
  }
  links.querySelectorAll('a').forEach((a) => a.removeAttribute('aria-current'));
  current.setAttribute('aria-current', 'page');
  window.history.replaceState(null, '', report.edit_url);
}


function select(id) {
  const element = modeler.get('elementRegistry').get(id);
  modeler.get('selection').select(element);
  modeler.get('canvas').scrollToElement(element);
}

async function save({ confirm = false } = {}) {
  clearProblems();
  if (importWarnings.length) {
    show('error', settings.labels.warningsBlockSave, importWarnings.map((w) => ({ text: w.message })));
    return;
  }
  show('busy', settings.labels.saving, []);
  let xml;
  try {
    ({ xml } = await modeler.saveXML({ format: true }));
  } catch (error) {
    show('error', `${settings.labels.cannotExport}: ${error.message}`, []);
    return;
  }
  const response = await fetch(settings.deployUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': settings.csrfToken },
    body: JSON.stringify({
      xml, filename: settings.filename, base_version: baseVersion, note: noteInput.value, confirm,
    }),
  });
  const report = await response.json().catch(() => ({ error: response.statusText }));
  if (report.error) {
    show('error', report.error, []);
    return;
  }
  if (report.conflict) {
    showConflict(report);
    return;
  }
  const deployed = report.deployed.map((d) => ({ text: `${d.process} — ${settings.labels.version} ${d.version}` }));
  const problems = report.problems.map((p) => ({
    text: `${p.element ? p.element + ': ' : ''}${p.message}${p.line ? ` (line ${p.line})` : ''}`, element: p.element,
  }));
  markProblems(report.problems);
  if (problems.length && deployed.length) {  // the file deployed; a process calling it could not follow
    show('error', `${settings.labels.deployed} ${deployed.map((d) => d.text).join(', ')}. ${settings.labels.partly}`,
      problems);
  } else if (problems.length) {
    show('error', settings.labels.refused, problems);
  } else {
    const mine = report.deployed.some((d) => d.process === settings.processId);
    const extra = mine ? [paragraph(
      link(labels.whatChanged, report.changes_url, 'modeller-changes'), ' · ',
      link(fmt(labels.migrate, { v: report.newest_version }), report.migrate_url, 'modeller-migrate'),
    )] : [];
    show('ok', deployed.length ? settings.labels.deployed : settings.labels.unchanged, deployed, extra);
    becameCurrent(report);
    noteInput.value = '';
    dirty = false;
  }
}

// A trial run of the diagram as it is now, in a new tab (opened at the click, so no pop-up blocker stops it).
async function tryIt() {
  clearProblems();
  const tab = window.open('', '_blank');
  show('busy', labels.trying, []);
  let xml;
  try {
    ({ xml } = await modeler.saveXML({ format: true }));
  } catch (error) {
    tab.close();
    show('error', `${labels.cannotExport}: ${error.message}`, []);
    return;
  }
  const response = await fetch(settings.trialUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': settings.csrfToken },
    body: JSON.stringify({ xml, filename: settings.filename }),
  });
  const report = await response.json().catch(() => ({ error: response.statusText }));
  if (!report.url) {
    tab.close();
    const problems = report.problems || [];
    markProblems(problems);
    show('error', report.error || labels.trialRefused, problems.map((p) => ({
      text: `${p.element ? p.element + ': ' : ''}${p.message}`, element: p.element,
    })));
    return;
  }
  tab.location = report.url;
  show('ok', labels.trialOpened, [], [paragraph(link(report.url, report.url, 'modeller-trial'))]);
}

// Open the diagram whole when that is legible; otherwise at a legible zoom from its start. Either way
// clear of the palette; the minimap shows the whole diagram.
function showDiagram() {
  const canvas = modeler.get('canvas');
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !outer.width) {
    return;
  }
  const fit = Math.min((outer.width - PALETTE - 2 * MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height);
  const scale = Math.max(LEGIBLE, Math.min(1, fit));
  if (fit < LEGIBLE && outer.width >= 600) {
    modeler.get('minimap').open();  // the whole diagram, when the canvas shows only part of it
  }
  canvas.viewbox({
    x: inner.x - (PALETTE + MARGIN) / scale,
    y: inner.y - MARGIN / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}

async function open() {
  const response = await fetch(settings.xmlUrl);
  const xml = await response.text();
  try {
    const { warnings } = await modeler.importXML(xml);
    importWarnings = warnings;
    showDiagram();
    if (warnings.length) {
      show('warning', settings.labels.importWarnings, warnings.map((w) => ({ text: w.message })));
    }
  } catch (error) {
    show('error', `${settings.labels.cannotOpen}: ${error.message}`, []);
  }
  document.body.dataset.modeller = 'ready';
}

document.getElementById('modeller-save').addEventListener('click', () => save());
document.getElementById('modeller-try').addEventListener('click', () => tryIt());
modeler.get('eventBus').on('commandStack.changed', ({ trigger }) => {
  if (trigger !== 'clear') {
    dirty = true;
  }
});

// Leaving with edits not deployed asks first: the browser's own question when the page unloads, ours (in the
// user's language) for the app's links and forms.
window.addEventListener('beforeunload', (event) => {
  if (dirty) {
    event.preventDefault();
    event.returnValue = '';
  }
});

function mayLeave(event) {
  if (dirty && !window.confirm(labels.leave)) {
    event.preventDefault();
    event.stopPropagation();
    return;
  }
  dirty = false;  // asked once: the browser does not ask again
}

document.addEventListener('click', (event) => {
  const anchor = event.target.closest('a[href]');
  if (anchor && !anchor.hasAttribute('download') && anchor.target !== '_blank' && !anchor.closest('.djs-container')) {
    mayLeave(event);
  }
});
document.addEventListener('submit', mayLeave);
modeler.get('eventBus').on('linting.completed', ({ issues }) => {
  const count = Object.values(issues).reduce((sum, list) => sum + list.length, 0);
  document.getElementById('modeller-lint-count').textContent = String(count);
  document.body.dataset.lint = String(count);
});
window.courseflowModeller = { modeler, save, open, isDirty: () => dirty };
open();
