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
const LEGIBLE = 0.6;
const MARGIN = 20;

function markAll(canvas, registry, ids, marker) {
  ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, marker));
}

function nameLanes(registry, graphics, lanes) {
  Object.entries(lanes).forEach(([id, name]) => {
    const lane = registry.get(id);
    if (lane) {
      lane.businessObject.name = name;
      graphics.update('shape', lane, registry.getGraphics(lane));
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
  const target = focus.map((id) => registry.get(id)).find(Boolean);
  const centre = target ? { x: target.x + target.width / 2, y: target.y + target.height / 2 }
    : { x: inner.x + outer.width / (2 * LEGIBLE), y: inner.y + inner.height / 2 };
  canvas.zoom(LEGIBLE, centre);
}

async function show(box) {
  const data = JSON.parse(box.querySelector('script[type="application/json"]').textContent);
  const viewer = new NavigatedViewer({ container: box.querySelector('.viewer-canvas') });
  try {
    await viewer.importXML(data.xml);
  } catch (error) {
    box.classList.add('viewer-failed');  // the server-drawn diagram beside it stays visible
    return;
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  nameLanes(registry, viewer.get('graphicsFactory'), data.lanes || {});
  markAll(canvas, registry, data.done, 'path-done');
  markAll(canvas, registry, data.open, 'path-open');
  markAll(canvas, registry, data.taken, 'path-taken');
  showLegibly(canvas, registry, [...data.open, ...data.done.slice(-1)]);
  box.classList.add('viewer-ready');
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
