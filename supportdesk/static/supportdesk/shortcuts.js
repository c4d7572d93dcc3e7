// Keyboard shortcuts of the agent console, as agents of Zendesk and Zammad expect them:
// j/k move through the queue's rows (or a case's timeline), Enter or o opens the selected
// case, r replies, a assigns, ? shows the help (#shortcut-help, a <details> that is a
// plain list without JS). Keys typed into a field, or with Ctrl/Alt/Meta, are left alone.
(function () {
  "use strict";
  var selectedClass = "kb-selected";

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']");
  }

  function scope() {
    var el = document.querySelector("[data-shortcuts]");
    return el ? el.getAttribute("data-shortcuts") : "";
  }

  function items() {
    var selector = scope() === "queue" ? "#queue-rows tr[data-case]" : ".timeline > li";
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function current(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].classList.contains(selectedClass)) return i;
    }
    return -1;
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var at = current(list);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    if (at >= 0) list[at].classList.remove(selectedClass);
    var el = list[next];
    el.classList.add(selectedClass);
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
  }

  function selectedCaseLink() {
    var list = items();
    var at = current(list);
    var row = at >= 0 ? list[at] : list[0];
    return row ? row.querySelector("td[data-label='Case'] a") : null;
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) return false;
    var fold = field.closest("details");
    if (fold) fold.open = true;
    field.scrollIntoView({ block: "center" });
    field.focus();
    return true;
  }

  function toggleHelp(open) {
    var help = document.getElementById("shortcut-help");
    if (!help) return;
    help.open = open === undefined ? !help.open : open;
    if (help.open) {
      var panel = help.querySelector(".shortcut-panel");
      if (panel) { panel.setAttribute("tabindex", "-1"); panel.focus(); }
    }
  }

  function reply() {
    if (scope() === "case") return focusField("#reply textarea");
    var link = selectedCaseLink();
    // "#compose" names no element, so the browser's own jump to a fragment does not
    // take the focus back from the reply box.
    if (link) window.location.href = link.href + "#compose";
    return !!link;
  }

  function assign() {
    if (scope() === "case") return focusField("#assign-form select");
    var list = items();
    var at = current(list);
    var box = at >= 0 ? list[at].querySelector("input[type=checkbox]") : null;
    if (box) box.checked = true;
    var action = document.querySelector("#bulk-form select[name=action]");
    if (action && action.querySelector("option[value=assign]")) action.value = "assign";
    return focusField("#bulk-form select[name=assignee]");
  }

  document.addEventListener("keydown", function (event) {
    if (!scope() || event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    var done = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "?": toggleHelp(); break;
      case "Escape": toggleHelp(false); done = false; break;
      case "r": done = reply(); break;
      case "a": done = assign(); break;
      case "o":
      case "Enter":
        // Enter opens the case only from the selected row itself: on a focused link or
        // button it keeps its own meaning.
        var onRow = event.key === "o" || (event.target && event.target.classList &&
          event.target.classList.contains(selectedClass));
        var link = onRow && scope() === "queue" && current(items()) >= 0 ? selectedCaseLink() : null;
        if (link) window.location.href = link.href; else done = false;
        break;
      default: done = false;
    }
    if (done) event.preventDefault();
  });

  // Arriving at a case from the queue's "r": straight into the reply box.
  document.addEventListener("DOMContentLoaded", function () {
    if (scope() === "case" && window.location.hash === "#compose") focusField("#reply textarea");
  });
})();
