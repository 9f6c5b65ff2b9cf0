// The form editor: the JSON Schema on the left, on the right a live preview
// rendered by the server with the task page's own renderer, and the
// schema's problems as the engine finds them. Saving is a plain form post.
const settings = JSON.parse(document.getElementById('form-editor-settings').textContent);
const source = document.getElementById('form-json');
const preview = document.getElementById('form-preview');
const problems = document.getElementById('form-problems');

let pending = null;
let latest = 0;

async function refresh() {
  const asked = ++latest;
  const response = await fetch(settings.previewUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': settings.csrfToken },
    body: JSON.stringify({ name: settings.name, text: source.value }),
  });
  const result = await response.json().catch(() => ({ html: '', problems: [response.statusText] }));
  if (asked !== latest) {
    return;  // a newer edit is already on its way
  }
  if (result.html !== undefined) {
    preview.innerHTML = result.html;  // rendered and escaped by the server's templates
  }
  problems.replaceChildren(...result.problems.map((text) => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
  document.body.dataset.preview = result.problems.length ? 'invalid' : 'valid';
}

source.addEventListener('input', () => {
  clearTimeout(pending);
  pending = setTimeout(refresh, 250);
});
refresh();
