/* SLA badges count down to the next breach and turn to "breached" when the due time passes, without a reload.
   Badges carry their due time (ISO 8601) and the sentence in the page's language; this fills in the time. */
(function () {
  "use strict";
  var script = document.currentScript;
  var formats = {
    days: script.dataset.fmtDays || "%(d)s d %(h)s h",
    hours: script.dataset.fmtHours || "%(h)s h %(m)s min",
    minutes: script.dataset.fmtMinutes || "%(m)s min %(s)s s"
  };

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }

  function span(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) { return fill(formats.days, {d: days, h: hours}); }
    if (hours) { return fill(formats.hours, {h: hours, m: minutes}); }
    return fill(formats.minutes, {m: minutes, s: seconds % 60});
  }

  function tick() {
    var now = Date.now();
    var badges = document.querySelectorAll("[data-sla-due]");
    for (var i = 0; i < badges.length; i++) {
      var badge = badges[i];
      var due = Date.parse(badge.dataset.slaDue);
      if (isNaN(due)) { continue; }
      var left = (due - now) / 1000;
      var warn = parseInt(badge.dataset.slaWarn || "0", 10);
      var state = left > 0 ? (warn && left <= warn ? "warning" : "ok") : "breached";
      var text = left > 0 ? fill(badge.dataset.slaLeft, {time: span(left)})
                          : fill(badge.dataset.slaOver, {time: span(-left)});
      if (badge.textContent !== text) { badge.textContent = text; }
      if (badge.dataset.slaState !== state) {
        badge.classList.remove("sla-ok", "sla-warning", "sla-breached");
        badge.classList.add("sla-" + state);
        badge.dataset.slaState = state;
      }
    }
  }

  tick();
  window.setInterval(tick, 1000);
})();
