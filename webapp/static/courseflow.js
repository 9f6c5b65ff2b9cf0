/* Helpers of every page (issue 13): the header's menu button, table cells labelled by their column (tables are
   cards on a phone), and moments shown in the viewer's time zone in the page's language (UTC on hover). */
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.closest(".bar").classList.toggle("open", open);
    });
  }
  const language = document.documentElement.lang === "ru" ? "ru-RU" : "en-GB";
  const day = { day: "2-digit", month: "2-digit", year: "numeric" };
  if (language === "en-GB") { day.day = "numeric"; day.month = "short"; }
  for (const time of document.querySelectorAll("time[data-local]")) {
    const options = time.dataset.local === "moment" ? { ...day, hour: "2-digit", minute: "2-digit" } : day;
    time.textContent = new Intl.DateTimeFormat(language, options).format(new Date(time.getAttribute("datetime")))
      .replace(",", "");
  }
  for (const table of document.querySelectorAll("main table")) {
    const heads = [...table.querySelectorAll(":scope > thead > tr > th")].map(th => th.textContent.trim());
    if (!heads.length || table.querySelector(":scope > thead a")) continue;  // sortable tables scroll sideways
    table.classList.add("cards");
    for (const row of table.querySelectorAll(":scope > tbody > tr")) {
      [...row.children].forEach((cell, i) => { if (heads[i] && !cell.dataset.label) cell.dataset.label = heads[i]; });
    }
  }
});
