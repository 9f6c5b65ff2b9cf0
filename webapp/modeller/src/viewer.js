// The auditors' path diagram (issue 13): each process a course ran, drawn by the bpmn-js viewer from its own
// version's BPMN, zoomable and pannable, with the elements done and open at the step and the flows taken
// marked, and lanes named by the role's translated name instead of its key. Data comes from the page:
// <div class="bpmn-viewer"><script type="application/json">{xml, done, open, taken, lanes}</script>
// <div class="viewer-canvas"></div></div>.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import './viewer.css';

// The smallest zoom at which labels stay readable; a larger diagram opens there, centred on what is open.
const LEGIBLE = 0.85;
const MARGIN = 20;

function markAll(canvas, registry, ids, marker) {
  ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, marker));
}

// Lanes by the role's name instead of its key; in Russian, elements by their nameRu.
function rename(registry, graphics, names) {
  Object.entries(names).forEach(([id, name]) => {
    const element = registry.get(id);
    if (!element) {
      return;
    }
    element.businessObject.name = name;
    graphics.update('shape', element, registry.getGraphics(element));
    if (element.label) {
      graphics.update('shape', element.label, registry.getGraphics(element.label));
    }
  });
}

function showLegibly(canvas, registry, focus) {
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !outer.width) {
    return;
  }
  const fit = Math.min((outer.width - 2 * MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height);
  if (fit >= LEGIBLE) {
    canvas.zoom('fit-viewport', 'auto');
    return;
  }
  // Centred on the first open element (else the last done one); from the diagram's start when neither.
  const target = focus.map((id) => registry.get(id)).find(Boolean);
  const width = outer.width / LEGIBLE;
  const height = outer.height / LEGIBLE;
  const x = target ? target.x + target.width / 2 - width / 2 : inner.x - MARGIN / LEGIBLE;
  const y = target ? target.y + target.height / 2 - height / 2 : inner.y - MARGIN / LEGIBLE;
  canvas.viewbox({ x: Math.max(x, inner.x - MARGIN), y: Math.max(y, inner.y - MARGIN), width, height });
}

async function show(box) {
  const data = JSON.parse(box.querySelector('script[type="application/json"]').textContent);
  box.classList.add('viewer-ready');  // the canvas needs its size before the diagram is placed in it
  const viewer = new NavigatedViewer({ container: box.querySelector('.viewer-canvas') });
  try {
    await viewer.importXML(data.xml);
  } catch (error) {
    box.classList.replace('viewer-ready', 'viewer-failed');  // the server-drawn diagram shows instead
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  rename(registry, viewer.get('graphicsFactory'), { ...data.lanes, ...data.names });
  markAll(canvas, registry, data.done, 'path-done');
  markAll(canvas, registry, data.open, 'path-open');
  markAll(canvas, registry, data.taken, 'path-taken');
  canvas.resized();
  showLegibly(canvas, registry, data.open);
  box.dataset.shown = 'yes';
  box.querySelectorAll('[data-zoom]').forEach((button) => button.addEventListener('click', () => {
    const step = button.dataset.zoom;
    if (step === 'fit') {
      canvas.zoom('fit-viewport', 'auto');
    } else {
      canvas.zoom(canvas.zoom() * (step === 'in' ? 1.25 : 0.8));
    }
  }));
}

document.querySelectorAll('.bpmn-viewer').forEach(show);
