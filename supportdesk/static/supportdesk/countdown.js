// Live SLA countdowns: every element with data-due (an ISO instant) shows the wall-clock
// time until it is due, turns "warning" from data-warn-at (the policy's first warning
// instant) and "breached" once past due. Server-rendered text is the same without JS:
// the words come from the page (<html data-due-in="due in {}" data-overdue-by="overdue
// by {}" data-units="d h m">, in the viewer's language; the desk filters say the same).
(function () {
  "use strict";
  var words = document.documentElement.dataset;
  var units = (words.units || "d h m").split(" ");
  function fmt(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var m = Math.floor(Math.abs(seconds) / 60);
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    var pad = mm < 10 ? "0" + mm : "" + mm;
    if (d) return sign + d + units[0] + " " + h + units[1] + " " + pad + units[2];
    if (h) return sign + h + units[1] + " " + pad + units[2];
    return sign + mm + units[2];
  }
  function say(template, text) {
    return template.replace("{}", text);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = Math.round((due - now) / 1000);
      var warnAt = Date.parse(el.getAttribute("data-warn-at") || "");
      var warning = left >= 0 && (el.classList.contains("warning") || (!isNaN(warnAt) && now >= warnAt));
      var out = el.querySelector(".left") || el;
      out.textContent = left < 0
        ? say(words.overdueBy || "overdue by {}", fmt(-left))
        : say(words.dueIn || "due in {}", fmt(left));
      el.classList.toggle("breached", left < 0);
      el.classList.toggle("warning", warning);
      el.classList.toggle("ok", left >= 0 && !warning);
      var row = el.closest("tr");
      if (row) {
        row.classList.toggle("breached", left < 0);
        row.classList.toggle("warning", warning);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 15000);
})();
