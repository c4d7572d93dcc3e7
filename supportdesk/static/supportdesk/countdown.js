// Live SLA countdowns: every element with data-due (an ISO instant) shows the wall-clock
// time until it is due, turns "warning" from data-warn-at (the policy's first warning
// instant) and "breached" once past due. Server-rendered text is the same without JS.
(function () {
  "use strict";
  function fmt(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var m = Math.floor(Math.abs(seconds) / 60);
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    var pad = mm < 10 ? "0" + mm : "" + mm;
    if (d) return sign + d + "d " + h + "h " + pad + "m";
    if (h) return sign + h + "h " + pad + "m";
    return sign + mm + "m";
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
      out.textContent = left < 0 ? "overdue by " + fmt(-left) : "due in " + fmt(left);
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
