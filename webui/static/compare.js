// Comparison pages: the print button, compact cells that open in place, and the sources list
// folded until asked for (inline scripts are not allowed by the page's CSP).
// Without JavaScript a 「さらに表示」 control is a link to the full view at its row.
(function () {
  "use strict";

  function toggle(control) {
    var part = document.getElementById(control.getAttribute("aria-controls"));
    if (!part) { return false; }
    var open = control.getAttribute("aria-expanded") !== "true";
    part.hidden = !open;
    control.setAttribute("aria-expanded", open ? "true" : "false");
    control.textContent = open ? "閉じる" : control.getAttribute("data-label");
    var cell = control.closest(".cell");
    if (cell) { cell.classList.toggle("is-open", open); }
    return true;
  }

  function showSources() {
    var list = document.querySelector(".sources[data-collapsible] .source-list");
    var button = document.querySelector(".sources-toggle");
    if (list && list.hidden) {
      list.hidden = false;
      if (button) { button.setAttribute("aria-expanded", "true"); button.textContent = "出典を隠す"; }
    }
  }

  function foldSources() {
    var section = document.querySelector(".sources[data-collapsible]");
    if (!section) { return; }
    var list = section.querySelector(".source-list");
    if (!list || !list.children.length) { return; }
    list.id = list.id || "source-list";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sources-toggle";
    button.setAttribute("aria-controls", list.id);
    button.setAttribute("aria-expanded", "false");
    button.textContent = "出典を表示";
    section.querySelector("h2").after(button);
    // A link straight to a footnote (#src-3) must find it shown.
    list.hidden = !/^#src-/.test(window.location.hash);
    if (!list.hidden) { showSources(); }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
      return;
    }
    var control = event.target.closest("[data-expand]");
    if (control && !event.ctrlKey && !event.metaKey && !event.shiftKey && toggle(control)) {
      event.preventDefault();
      return;
    }
    var sources = event.target.closest(".sources-toggle");
    if (sources) {
      var list = document.getElementById(sources.getAttribute("aria-controls"));
      if (list.hidden) { showSources(); } else {
        list.hidden = true;
        sources.setAttribute("aria-expanded", "false");
        sources.textContent = "出典を表示";
      }
      return;
    }
    if (event.target.closest("a.cite")) { showSources(); }
  });

  // role="button" links answer the space bar like buttons do.
  document.addEventListener("keydown", function (event) {
    var control = event.target.closest && event.target.closest("[data-expand]");
    if (control && event.key === " ") {
      event.preventDefault();
      toggle(control);
    }
  });

  window.addEventListener("beforeprint", showSources);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", foldSources);
  } else {
    foldSources();
  }
}());
