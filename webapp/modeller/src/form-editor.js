// The form editor: the JSON Schema in a code editor (CodeMirror 6: line numbers, bracket matching, JSON
// highlighting), on the right a live preview rendered by the server with the task page's own renderer, and
// the schema's problems as the engine finds them, listed and marked beside their lines. Saving is a plain
// form post of the textarea, which the editor keeps in step.
import { basicSetup, EditorView } from 'codemirror';
import { json } from '@codemirror/lang-json';
import { ensureSyntaxTree } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';

const settings = JSON.parse(document.getElementById('form-editor-settings').textContent);
const source = document.getElementById('form-json');
const preview = document.getElementById('form-preview');
const problems = document.getElementById('form-problems');

let pending = null;
let latest = 0;

const view = new EditorView({
  doc: source.value,
  extensions: [
    basicSetup,
    json(),
    lintGutter(),
    EditorView.theme({
      '&': { height: '65vh', border: '1px solid #c9d1da', background: '#fff', fontSize: '.85rem' },
      '.cm-scroller': { overflow: 'auto' },
    }),
    EditorView.contentAttributes.of({ 'aria-label': source.labels[0] ? source.labels[0].textContent : 'JSON' }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) {
        source.value = update.state.doc.toString();
        clearTimeout(pending);
        pending = setTimeout(refresh, 250);
      }
    }),
  ],
});
view.dom.id = 'form-code';
source.hidden = true;
source.after(view.dom);

// The value node a JSON path ("properties/x/type") leads to in the editor's syntax tree, or the deepest
// node on the way.
function nodeAt(state, path) {
  const tree = ensureSyntaxTree(state, state.doc.length, 500);
  let node = tree && tree.topNode.firstChild;
  for (const part of path) {
    let next = null;
    if (node && node.name === 'Object') {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        const name = child.name === 'Property' && child.getChild('PropertyName');
        if (name && state.sliceDoc(name.from + 1, name.to - 1) === part) {
          next = child.lastChild;
          break;
        }
      }
    } else if (node && node.name === 'Array') {
      const items = [];
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (!['[', ']', ','].includes(child.name)) {
          items.push(child);
        }
      }
      next = items[Number(part)] || null;
    }
    if (!next) {
      break;
    }
    node = next;
  }
  return node;
}

// Where a problem is in the text: "line N", a JSON path "at a/b/c", or the first quoted name it gives.
function lineOf(state, message) {
  const doc = state.doc;
  const line = /\(line (\d+), column \d+\)/.exec(message);
  if (line) {
    return doc.line(Math.min(Number(line[1]), doc.lines));
  }
  const path = /\bat ([^\s:]+):/.exec(message);
  if (path && path[1] !== '(top)') {
    const node = nodeAt(state, path[1].split('/'));
    if (node) {
      return doc.lineAt(node.from);
    }
  }
  const quoted = /['"]([^'"]+)['"]/.exec(message);
  if (quoted) {
    const name = quoted[1].split(/[.[\]]+/).filter(Boolean).pop();
    const at = doc.toString().indexOf(JSON.stringify(name));
    if (at >= 0) {
      return doc.lineAt(at);
    }
  }
  return doc.line(1);
}

function showProblems(found) {
  const diagnostics = found.map((message) => {
    const line = lineOf(view.state, message);
    return { from: line.from, to: line.to, severity: 'error', message, line: line.number };
  });
  view.dispatch(setDiagnostics(view.state, diagnostics));
  problems.replaceChildren(...diagnostics.map((diagnostic) => {
    const item = document.createElement('li');
    item.textContent = `${settings.labels.line} ${diagnostic.line}: ${diagnostic.message}`;
    item.dataset.line = String(diagnostic.line);
    item.addEventListener('click', () => {
      view.dispatch({ selection: { anchor: diagnostic.from }, scrollIntoView: true });
      view.focus();
    });
    return item;
  }));
}

async function refresh() {
  const asked = ++latest;
  const response = await fetch(settings.previewUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': settings.csrfToken },
    body: JSON.stringify({ name: settings.name, text: view.state.doc.toString() }),
  });
  const result = await response.json().catch(() => ({ html: '', problems: [response.statusText] }));
  if (asked !== latest) {
    return;  // a newer edit is already on its way
  }
  if (result.html !== undefined && result.html !== null) {
    preview.innerHTML = result.html;  // rendered and escaped by the server's templates
  }
  showProblems(result.problems);
  preview.style.opacity = result.problems.length ? '0.5' : '';  // the last valid preview, until fixed
  document.body.dataset.preview = result.problems.length ? 'invalid' : 'valid';
}

window.courseflowFormEditor = { view };
refresh();
