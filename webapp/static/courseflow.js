/* The narrow-screen helpers of every page: the header's menu button and table cells labelled by their column
   (tables are shown as cards on a phone, issue 13). */
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.closest(".bar").classList.toggle("open", open);
    });
  }
  for (const table of document.querySelectorAll("main table")) {
    const heads = [...table.querySelectorAll(":scope > thead > tr > th")].map(th => th.textContent.trim());
    if (!heads.length) continue;
    table.classList.add("cards");
    for (const row of table.querySelectorAll(":scope > tbody > tr")) {
      [...row.children].forEach((cell, i) => { if (heads[i] && !cell.dataset.label) cell.dataset.label = heads[i]; });
    }
  }
});
