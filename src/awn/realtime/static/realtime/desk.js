/* Awn desk: live updates over one websocket (/ws/desk/). No framework; htmx re-processes swapped parts.
 *
 * - Ticket lists (the inbox) refresh when a ticket in view changes, unless the agent is selecting rows. The
 *   list tells the socket which tickets it shows and whether it is ordered by activity, so that a chat
 *   message reaches only the lists it can change.
 * - The ticket page refreshes its thread, header, history and side panel, and shows who else is viewing or
 *   typing (collision detection); a change that takes the ticket out of view says so.
 * - window.AwnLive lets other desk scripts (the chat console) share the socket: on(type, fn), send(frame).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var S = (script && script.dataset) || {};
  var handlers = {};
  var socket = null;
  var backoff = 1000;
  var pingTimer = null;
  var queue = [];
  var viewing = null;

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] == null ? "" : values[key]; });
  }

  function emit(type, data) {
    (handlers[type] || []).concat(handlers["*"] || []).forEach(function (fn) {
      try { fn(data); } catch (err) { if (window.console) console.error(err); }
    });
  }

  function send(frame) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
    else queue.push(frame);
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + (S.url || "/ws/desk/");
    socket = new WebSocket(url);
    socket.onopen = function () {
      backoff = 1000;
      setStatus("");
      if (viewing) socket.send(JSON.stringify({ type: "view", ticket: viewing }));
      while (queue.length) socket.send(JSON.stringify(queue.shift()));
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
      emit("open", {});
    };
    socket.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data && typeof data.type === "string") emit(data.type, data);
    };
    socket.onclose = function (e) {
      clearInterval(pingTimer);
      if (e.code === 4403) return; // not staff (any more): stay quiet
      setStatus(S.strOffline || "");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  var statusEl = null;
  function setStatus(text) {
    if (!statusEl) {
      if (!text) return;
      statusEl = document.createElement("p");
      statusEl.className = "live-status muted";
      statusEl.setAttribute("role", "status");
      var main = document.getElementById("main");
      if (main) main.insertBefore(statusEl, main.firstChild);
    }
    statusEl.textContent = text;
    statusEl.hidden = !text;
  }

  function fetchPage(url) {
    return fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      return new DOMParser().parseFromString(html, "text/html");
    });
  }

  function swap(oldEl, newEl) {
    if (!oldEl || !newEl) return;
    var node = document.importNode(newEl, true);
    oldEl.replaceWith(node);
    if (window.htmx) window.htmx.process(node);
  }

  function focusedIn(el) { return el && el.contains(document.activeElement) && document.activeElement !== document.body; }

  /* ---- the inbox ---------------------------------------------------------------------------------- */
  function initList() {
    var queueEl = document.getElementById("queue");
    if (!queueEl) return;
    var timer = null;
    var notice = null;
    function refresh() {
      var busy = document.querySelector("#queue input[name=tickets]:checked") || focusedIn(document.getElementById("queue"));
      if (busy) {
        if (!notice) {
          notice = document.createElement("button");
          notice.type = "button";
          notice.className = "button secondary live-refresh";
          notice.textContent = S.strRefresh || "Refresh";
          notice.addEventListener("click", function () { notice.remove(); notice = null; load(); });
          queueEl.insertBefore(notice, queueEl.firstChild);
        }
        return;
      }
      load();
    }
    function load() {
      fetchPage(location.href).then(function (doc) {
        swap(document.querySelector("#queue table.tickets"), doc.querySelector("#queue table.tickets"));
        swap(document.querySelector(".pagination"), doc.querySelector(".pagination"));
        swap(document.querySelector(".desk-sidebar .sidebar-nav"), doc.querySelector(".desk-sidebar .sidebar-nav"));
        announce();
      }).catch(function () {});
    }
    function announce() {
      var ids = [];
      Array.prototype.forEach.call(document.querySelectorAll("#queue table.tickets a[href]"), function (a) {
        var m = a.getAttribute("href").match(/\/tickets\/(\d+)\/$/);
        var id = m && parseInt(m[1], 10);
        if (id && ids.indexOf(id) < 0) ids.push(id);
      });
      send({ type: "list", tickets: ids, activity: queueEl.getAttribute("data-live-activity") === "1" });
    }
    on("open", announce);
    on("ticket", function () { clearTimeout(timer); timer = setTimeout(refresh, 600); });
    on("ticket.gone", function () { clearTimeout(timer); timer = setTimeout(refresh, 600); });
  }

  /* ---- the ticket page: live parts, presence, typing ------------------------------------------------- */
  function initTicket() {
    var match = location.pathname.match(/\/desk\/tickets\/(\d+)\/$/);
    if (!match || !document.getElementById("ticket-body")) return;
    viewing = parseInt(match[1], 10);
    send({ type: "view", ticket: viewing });
    var people = {}; // conn → {name, user, typing, public, seen}
    var bar = document.createElement("p");
    bar.className = "presence-bar";
    bar.setAttribute("role", "status");
    bar.setAttribute("aria-live", "polite");
    bar.hidden = true;

    function placeBar() {
      var head = document.querySelector("#ticket-body .ticket-head");
      if (head && bar.parentNode !== head.parentNode) head.parentNode.insertBefore(bar, head.nextSibling);
    }
    function render() {
      placeBar();
      var now = Date.now(), byUser = {};
      Object.keys(people).forEach(function (conn) {
        var p = people[conn];
        if (now - p.seen > 70000) { delete people[conn]; return; }
        var known = byUser[p.user];
        if (!known || p.typing) byUser[p.user] = p;
      });
      var parts = Object.keys(byUser).map(function (u) {
        var p = byUser[u];
        if (p.typing) return fmt(p.public ? S.strTypingReply : S.strTypingNote, { name: p.name });
        return fmt(S.strViewing, { name: p.name });
      });
      bar.textContent = parts.join(" · ");
      bar.hidden = !parts.length;
      bar.classList.toggle("presence-warning", Object.keys(byUser).some(function (u) { return byUser[u].typing; }));
    }
    setInterval(render, 15000);
    on("presence", function (d) {
      if (d.ticket !== viewing) return;
      if (d.action === "leave") { delete people[d.conn]; }
      else {
        var p = people[d.conn] || { name: d.name, user: d.user };
        p.seen = Date.now();
        if (d.action === "typing" || d.action === "here") { p.typing = !!d.on; p.public = d.public !== false; }
        people[d.conn] = p;
      }
      render();
    });

    var visitorTyping = null;
    on("typing", function (d) {
      if (d.ticket !== viewing || d.who !== "visitor") return;
      var el = document.querySelector("#ticket-body .chat-panel .chat-visitor-status");
      if (!el) return;
      if (!visitorTyping) visitorTyping = el.textContent;
      el.textContent = d.on ? (S.strVisitorTyping || "") : visitorTyping;
    });
    on("visitor", function (d) {
      if (d.ticket !== viewing) return;
      var link = document.querySelector("#ticket-body .chat-panel .chat-current-page");
      if (link && d.page && /^https?:/.test(d.page.url)) { link.href = d.page.url; link.textContent = d.page.title || d.page.url; }
    });

    var timer = null;
    function refresh() {
      fetchPage(location.href).then(function (doc) {
        var body = document.getElementById("ticket-body");
        if (!body || !doc.getElementById("ticket-body")) return;
        [".ticket-head", ".thread", ".history"].forEach(function (sel) {
          swap(body.querySelector(sel), doc.querySelector("#ticket-body " + sel));
        });
        var side = body.querySelector(".ticket-side");
        if (!focusedIn(side)) swap(side, doc.querySelector("#ticket-body .ticket-side"));
        render();
      }).catch(function () {});
    }
    on("ticket.page", function (d) {
      if (d.ticket !== viewing) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    on("chat", function (d) {
      if (d.ticket !== viewing) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    on("ticket.gone", function (d) {
      if (d.ticket !== viewing) return;
      var p = document.createElement("p");
      p.className = "alert alert-error";
      p.setAttribute("role", "alert");
      p.textContent = S.strGone || "";
      placeBar();
      bar.parentNode.insertBefore(p, bar);
    });

    // Typing in the reply form tells the others (and a chat's visitor, for public replies).
    var idle = null, lastSent = 0, typing = false;
    function kindIsPublic() {
      var checked = document.querySelector("#ticket-body .reply-form input[name=kind]:checked");
      return !checked || checked.value !== "note";
    }
    function stop() {
      if (typing) { typing = false; send({ type: "typing", ticket: viewing, on: false, public: kindIsPublic() }); }
    }
    document.addEventListener("input", function (e) {
      if (!e.target.matches || !e.target.matches("#ticket-body .reply-form textarea")) return;
      var now = Date.now();
      if (!typing || now - lastSent > 3000) {
        typing = true; lastSent = now;
        send({ type: "typing", ticket: viewing, on: true, public: kindIsPublic() });
      }
      clearTimeout(idle);
      idle = setTimeout(stop, 4000);
    });
    document.addEventListener("submit", function (e) {
      if (e.target.matches && e.target.matches("#ticket-body .reply-form")) { clearTimeout(idle); stop(); }
    }, true);
  }

  /* ---- the chats link: how many chats wait for me ------------------------------------------------------- */
  function initChatCount() {
    var badge = document.querySelector("[data-chat-count]");
    var url = S.listsUrl;
    if (!badge || !url) return;
    var timer = null;
    function load() {
      fetchPage(url).then(function (doc) {
        var el = doc.querySelector("[data-incoming-count]");
        var n = el ? parseInt(el.getAttribute("data-incoming-count"), 10) : 0;
        badge.textContent = n ? String(n) : "";
        badge.hidden = !n;
      }).catch(function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(load, 400); }
    on("chat", later);
    on("queue", later);
    on("open", later);
  }

  function on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); }

  window.AwnLive = { on: on, send: send, fmt: fmt, fetchPage: fetchPage, swap: swap };
  if (!("WebSocket" in window)) return;
  connect();
  initList();
  initTicket();
  initChatCount();
})();
