// The process owner's modeller page: bpmn-js with the properties panel, the
// CourseFlow property group and lint. Saving sends the XML to the server,
// which runs the engine's full deploy checks; problems are listed and
// marked on their elements, and nothing invalid is deployed.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';

import spiffworkflow from './spiffworkflow.json';
import CourseFlowPropertiesProvider from './properties';
import { lintConfig } from './lint';

const courseflowPropertiesModule = {
  __init__: ['courseflowPropertiesProvider'],
  courseflowPropertiesProvider: ['type', CourseFlowPropertiesProvider],
};

const settings = JSON.parse(document.getElementById('modeller-settings').textContent);
const resultBox = document.getElementById('modeller-result');

const modeler = new Modeler({
  container: '#modeller-canvas',
  keyboard: { bindTo: document },
  propertiesPanel: {
    parent: '#modeller-properties',
    layout: { groups: { general: { open: true }, courseflow: { open: true }, timer: { open: true } } },
  },
  additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, courseflowPropertiesModule, lintModule],
  moddleExtensions: { spiffworkflow },
  exporter: { name: 'CourseFlow', version: '1' },
  linting: { bpmnlint: lintConfig(settings), active: true },
  courseflow: settings,
});

let marked = [];
let importWarnings = [];

function clearProblems() {
  const canvas = modeler.get('canvas');
  marked.forEach((id) => canvas.removeMarker(id, 'cf-invalid'));
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

function markProblems(problems) {
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  problems.forEach((problem) => {
    const element = drawnElement(problem.element);
    if (!element || marked.includes(element.id)) {
      return;
    }
    canvas.addMarker(element.id, 'cf-invalid');
    const badge = document.createElement('span');
    badge.className = 'cf-problem-badge';
    badge.title = problem.message;
    badge.textContent = '!';
    overlays.add(element.id, 'cf-problem', { position: { top: -10, left: -10 }, html: badge });
    marked.push(element.id);
  });
}

function show(kind, title, items) {
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
}

function select(id) {
  const element = modeler.get('elementRegistry').get(id);
  modeler.get('selection').select(element);
  modeler.get('canvas').scrollToElement(element);
}

async function save() {
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
    body: JSON.stringify({ xml, filename: settings.filename }),
  });
  const report = await response.json().catch(() => ({ error: response.statusText }));
  if (report.error) {
    show('error', report.error, []);
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
    show('ok', deployed.length ? settings.labels.deployed : settings.labels.unchanged, deployed);
  }
}

async function open() {
  const response = await fetch(settings.xmlUrl);
  const xml = await response.text();
  try {
    const { warnings } = await modeler.importXML(xml);
    importWarnings = warnings;
    modeler.get('canvas').zoom('fit-viewport');
    if (warnings.length) {
      show('warning', settings.labels.importWarnings, warnings.map((w) => ({ text: w.message })));
    }
  } catch (error) {
    show('error', `${settings.labels.cannotOpen}: ${error.message}`, []);
  }
  document.body.dataset.modeller = 'ready';
}

document.getElementById('modeller-save').addEventListener('click', save);
modeler.get('eventBus').on('linting.completed', ({ issues }) => {
  const count = Object.values(issues).reduce((sum, list) => sum + list.length, 0);
  document.getElementById('modeller-lint-count').textContent = String(count);
  document.body.dataset.lint = String(count);
});
window.courseflowModeller = { modeler, save, open };
open();
