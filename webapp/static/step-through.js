// The step-through page (issue 13): the left and right arrow keys go to the previous and next step, unless
// the reader is typing or moving a diagram; the current step is scrolled into view in the list of steps.
(function () {
  function typing(target) {
    return target.closest('input, textarea, select, [contenteditable], .viewer-canvas');
  }
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || typing(event.target)) {
      return;
    }
    var link = document.getElementById(event.key === 'ArrowLeft' ? 'previous-step'
      : event.key === 'ArrowRight' ? 'next-step' : '');
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });
  var current = document.querySelector('#step-list li.current');
  if (current) {
    var list = current.parentNode;
    list.scrollTop += current.getBoundingClientRect().top - list.getBoundingClientRect().top
      - list.clientHeight / 2 + current.offsetHeight / 2;
  }
}());
