/*! Awn chat widget — embed with:
 *  <script async src="https://help.example.com/static/chat/widget.js" data-awn-widget="KEY"></script>
 *  Signed-in users: add data-awn-email, data-awn-name and data-awn-signature (docs/chat.md).
 *  No framework, no cookies; lives in a shadow root so the page's CSS and ours never meet. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-awn-widget]");
  if (!script || window.__awnChat) return;
  window.__awnChat = true;
  var KEY = script.getAttribute("data-awn-widget");
  var BASE = new URL(script.src, location.href).origin;
  var STORE = "awn-chat:" + KEY;
  var PAGES = "awn-chat-pages:" + KEY;
  var cfg = null, S = {}, ws = null, wsReady = false, backoff = 1000, pinger = null, outbox = [];
  var state = load(STORE) || {};
  var visitor = {}, session = null, seen = {}, lastAgentRead = 0, agentName = "";
  var el = {}, root = null, isOpen = false, typingSent = 0, typingIdle = null, unread = 0, greeted = false;

  function load(key, area) {
    try { return JSON.parse((area || localStorage).getItem(key) || "null"); } catch (e) { return null; }
  }
  function save(key, value, area) {
    try { (area || localStorage).setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_m, k) { return values && values[k] != null ? values[k] : ""; });
  }
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  /* ---- pages seen in this browsing session (sent with hello; the agent sees them) ---------------------- */
  var pages = load(PAGES, sessionStorage) || [];
  var here = { url: location.href.split("#")[0], title: document.title.slice(0, 300), at: new Date().toISOString() };
  if (!pages.length || pages[pages.length - 1].url !== here.url) pages.push(here);
  pages = pages.slice(-20);
  save(PAGES, pages, sessionStorage);

  /* ---- start: settings, then the launcher; the socket waits until it is needed -------------------------- */
  var lang = script.getAttribute("data-awn-language") || navigator.language || "";
  fetch(BASE + "/chat/api/" + encodeURIComponent(KEY) + "/config/?lang=" + encodeURIComponent(lang), { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) return;
      cfg = data; S = data.strings || {};
      build();
      if (state.token && state.live) connect(); // a conversation in progress follows the visitor
      if (state.open) open(false);
      triggers();
    })
    .catch(function () {});

  function build() {
    var host = h("div", { id: "awn-chat-host" });
    host.style.cssText = "all:initial;position:fixed;z-index:2147483000;bottom:0;inset-inline-end:0;";
    if (cfg.position === "start") host.style.cssText = host.style.cssText.replace("inset-inline-end", "inset-inline-start");
    document.body.appendChild(host);
    root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var colour = /^#[0-9a-f]{6}$/i.test(cfg.colour) ? cfg.colour : "#2457c5";
    var side = cfg.position === "start" ? "inset-inline-start" : "inset-inline-end";
    root.appendChild(h("style", { text: css(colour, side) }));
    var titleId = "awn-title";
    el.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "awn-panel",
      "aria-label": S.open, onclick: function () { isOpen ? close() : open(true); } }, [
      h("span", { "aria-hidden": "true", text: "💬" }), el.badge = h("span", { class: "badge", hidden: true })]);
    el.bubble = h("div", { class: "bubble", role: "status", hidden: true });
    el.log = h("ol", { class: "log", role: "log", "aria-live": "polite", "aria-label": S.conversation, tabindex: "0" });
    el.status = h("p", { class: "status", role: "status", "aria-live": "polite" });
    el.error = h("p", { class: "error", role: "alert", hidden: true });
    el.text = h("textarea", { id: "awn-text", rows: "2", maxlength: String(cfg.max_chars || 4000), dir: "auto",
      placeholder: S.placeholder, oninput: onTyping, onkeydown: onKey });
    el.file = h("input", { type: "file", id: "awn-file", class: "sr", onchange: onFile });
    el.composer = h("form", { class: "composer", onsubmit: onSend }, [
      h("label", { for: "awn-text", class: "sr", text: S.message_label }), el.text,
      h("div", { class: "row" }, [
        h("label", { for: "awn-file", class: "attach", title: S.attach }, [h("span", { "aria-hidden": "true", text: "📎" }), h("span", { class: "sr", text: S.attach })]),
        el.file, h("button", { type: "submit", class: "send", text: S.send })])]);
    el.prechat = contactForm("prechat", S.prechat_intro, S.start, cfg.prechat === "required", false);
    el.offline = contactForm("offline", S.offline_intro, S.offline_send, true, true);
    el.followup = contactForm("followup", S.continue_email_intro, S.continue_email, true, false);
    el.actions = h("div", { class: "actions" }, [
      el.transcriptBtn = h("button", { type: "button", class: "link", text: S.transcript, onclick: onTranscript }),
      el.emailBtn = h("button", { type: "button", class: "link", text: S.continue_email, onclick: function () { show(el.followup, true); focusFirst(el.followup); } }),
      el.endBtn = h("button", { type: "button", class: "link", text: S.end, onclick: function () { send({ type: "end" }); } })]);
    var intro = [];
    if (cfg.reply_time) intro.push(fmt(S.reply_time, { time: cfg.reply_time }));
    if (cfg.business_hours) intro.push(fmt(S.hours, { hours: cfg.business_hours }));
    el.panel = h("section", { id: "awn-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": titleId, hidden: true,
      onkeydown: function (e) { if (e.key === "Escape") { e.stopPropagation(); close(); } } }, [
      h("header", {}, [
        h("div", {}, [h("h2", { id: titleId, text: cfg.title }), h("p", { class: "sub", text: intro.join(" ") })]),
        h("button", { type: "button", class: "close", "aria-label": S.close, onclick: close, text: "×" })]),
      el.log, el.status, el.error, el.prechat, el.offline, el.followup, el.composer, el.actions]);
    el.wrap = h("div", { class: "wrap", dir: cfg.dir, lang: cfg.language }, [el.panel, el.bubble, el.launcher]);
    root.appendChild(el.wrap);
    if (cfg.greeting) addSystem(cfg.greeting);
    render();
  }

  function contactForm(kind, intro, button, required, withText) {
    var id = "awn-" + kind;
    var fields = [h("p", { text: intro })];
    if (!visitor.verified) {
      fields.push(h("label", { for: id + "-name", text: S.name }), h("input", { id: id + "-name", name: "name", autocomplete: "name", maxlength: "200" }));
      fields.push(h("label", { for: id + "-email", text: S.email + (required ? " (" + S.required + ")" : "") }),
        h("input", { id: id + "-email", name: "email", type: "email", autocomplete: "email", required: required, maxlength: "254", dir: "ltr" }));
    }
    if (withText) fields.push(h("label", { for: id + "-text", text: S.message_label }),
      h("textarea", { id: id + "-text", name: "text", rows: "3", required: true, dir: "auto", maxlength: String(cfg.max_chars || 4000) }));
    fields.push(h("button", { type: "submit", text: button }));
    return h("form", { class: "contact", hidden: true, onsubmit: function (e) { e.preventDefault(); onContact(kind, e.target); } }, fields);
  }

  function css(colour, side) {
    return ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Tahoma,sans-serif}" +
      ".wrap{position:fixed;bottom:16px;" + side + ":16px;display:flex;flex-direction:column;align-items:flex-end;gap:8px;font-size:15px;color:#1d2433}" +
      ".wrap[dir=rtl]{align-items:flex-start}" + (side === "inset-inline-start" ? ".wrap{align-items:flex-start}.wrap[dir=rtl]{align-items:flex-end}" : "") +
      ".launcher{inline-size:56px;block-size:56px;border-radius:50%;border:0;background:" + colour + ";color:#fff;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);position:relative}" +
      ".launcher:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,.log:focus-visible,.attach:focus-within{outline:3px solid #1d2433;outline-offset:2px}" +
      ".badge{position:absolute;inset-block-start:-4px;inset-inline-end:-4px;background:#c62828;color:#fff;border-radius:999px;font-size:12px;min-inline-size:20px;padding:2px 5px}" +
      ".bubble{background:#fff;border-radius:12px;padding:10px 14px;max-inline-size:260px;box-shadow:0 4px 14px rgba(0,0,0,.2);cursor:pointer}" +
      ".panel{inline-size:min(370px,calc(100vw - 32px));block-size:min(560px,calc(100vh - 110px));background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column;overflow:hidden}" +
      ".panel[hidden],[hidden]{display:none!important}" +
      "header{background:" + colour + ";color:#fff;padding:12px 14px;display:flex;justify-content:space-between;gap:8px;align-items:flex-start}" +
      "h2{font-size:17px;margin:0}.sub{margin:4px 0 0;font-size:13px;opacity:.92}" +
      ".close{background:transparent;border:0;color:#fff;font-size:24px;line-height:1;cursor:pointer;min-inline-size:32px;min-block-size:32px}" +
      ".log{list-style:none;margin:0;padding:12px;flex:1;overflow-y:auto;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}" +
      ".msg{max-inline-size:85%;padding:8px 11px;border-radius:12px;background:#fff;border:1px solid #e3e6eb;overflow-wrap:anywhere;unicode-bidi:plaintext}" +
      ".msg p{margin:0 0 4px}.msg p:last-child{margin:0}.msg a{color:inherit}" +
      ".mine{align-self:flex-end;background:" + colour + ";color:#fff;border-color:transparent}" +
      ".theirs{align-self:flex-start}.sys{align-self:center;background:transparent;border:0;color:#5b6472;font-size:13px;text-align:center}" +
      ".meta{display:block;font-size:11px;opacity:.75;margin-block-start:3px}" +
      ".status{margin:0;padding:4px 12px;font-size:13px;color:#5b6472;min-block-size:1.5em}.error{margin:0 12px;color:#b3261e;font-size:13px}" +
      ".composer{border-block-start:1px solid #e3e6eb;padding:8px;display:flex;flex-direction:column;gap:6px}" +
      "textarea,input{font:inherit;inline-size:100%;border:1px solid #b8bfca;border-radius:8px;padding:7px;color:#1d2433;background:#fff}" +
      ".row{display:flex;justify-content:space-between;align-items:center;gap:8px}" +
      ".send,.contact button{background:" + colour + ";color:#fff;border:0;border-radius:8px;padding:8px 16px;font:inherit;cursor:pointer}" +
      ".attach{cursor:pointer;font-size:20px;padding:4px 8px;border-radius:8px}" +
      ".contact{padding:10px 12px;display:flex;flex-direction:column;gap:6px;border-block-start:1px solid #e3e6eb}.contact p{margin:0;font-size:14px}.contact label{font-size:13px}" +
      ".actions{display:flex;flex-wrap:wrap;gap:4px 12px;padding:4px 12px 10px;font-size:13px}" +
      ".link{background:none;border:0;padding:2px;color:#2b4a8b;text-decoration:underline;cursor:pointer;font:inherit}" +
      ".sr{position:absolute;inline-size:1px;block-size:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
      "@media (max-width:480px){.wrap{bottom:8px}.panel{position:fixed;inset:0;inline-size:100vw;block-size:100vh;border-radius:0}}" +
      "@media (prefers-reduced-motion:no-preference){.panel{transition:opacity .15s}}";
  }

  /* ---- opening and closing ----------------------------------------------------------------------- */
  function open(focus) {
    isOpen = true; state.open = true; save(STORE, state);
    el.panel.hidden = false; el.bubble.hidden = true;
    el.launcher.setAttribute("aria-expanded", "true");
    el.launcher.setAttribute("aria-label", S.close);
    unread = 0; render();
    if (!ws) connect();
    if (focus) focusFirst(el.panel.querySelector(".contact:not([hidden])") || el.composer);
    markRead();
  }
  function close() {
    isOpen = false; state.open = false; save(STORE, state);
    el.panel.hidden = true;
    el.launcher.setAttribute("aria-expanded", "false");
    el.launcher.setAttribute("aria-label", S.open);
    el.launcher.focus();
  }
  function focusFirst(container) {
    var target = container && container.querySelector("input:not(.sr),textarea,button");
    if (target) setTimeout(function () { target.focus(); }, 0);
  }

  /* ---- the socket ------------------------------------------------------------------------------- */
  function connect() {
    setStatus(S.connecting);
    ws = new WebSocket(BASE.replace(/^http/, "ws") + "/ws/chat/" + encodeURIComponent(KEY) + "/");
    ws.onopen = function () {
      backoff = 1000;
      var hello = { type: "hello", token: state.token || "", language: cfg.language, page: { url: here.url, title: here.title }, pages: pages.slice(0, -1) };
      var email = script.getAttribute("data-awn-email");
      if (email) hello.identity = { email: email, name: script.getAttribute("data-awn-name") || "", signature: script.getAttribute("data-awn-signature") || "" };
      ws.send(JSON.stringify(hello));
      clearInterval(pinger);
      pinger = setInterval(function () { send({ type: "ping" }); }, 25000);
    };
    ws.onmessage = function (e) {
      var d;
      try { d = JSON.parse(e.data); } catch (err) { return; }
      if (d && handlers[d.type]) handlers[d.type](d);
    };
    ws.onclose = function (e) {
      wsReady = false; clearInterval(pinger);
      if (e.code === 4403) { ws = null; return; }
      setStatus(S.offline_net);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }
  function send(frame) {
    if (ws && wsReady) ws.send(JSON.stringify(frame));
    else if (frame.type !== "typing" && frame.type !== "ping" && frame.type !== "read") outbox.push(frame);
  }

  var handlers = {
    welcome: function (d) {
      wsReady = true; greeted = true;
      state.token = d.token; visitor = d.visitor || {}; cfg.online = d.online;
      setSession(d.session);
      el.log.querySelectorAll("[data-id]").forEach(function (n) { n.remove(); });
      seen = {};
      (d.messages || []).forEach(addMessage);
      while (outbox.length) ws.send(JSON.stringify(outbox.shift()));
      setStatus("");
      render(); markRead();
    },
    ack: function (d) { addMessage(d.message); setSession(d.session); render(); },
    message: function (d) {
      addMessage(d.message);
      if (d.message.from === "agent") {
        setStatus("");
        if (!isOpen) { unread++; render(); } else markRead();
      }
    },
    session: function (d) {
      var before = session && session.state;
      setSession(d.session);
      if (session && session.state === "active" && before !== "active" && session.agent) addSystem(fmt(S.joined, { name: session.agent.name }));
      if (session && session.state === "ended" && before !== "ended") addSystem(S.ended);
      render();
    },
    queue: function (d) { if (session && d.session === session.id) { session.position = d.position; render(); } },
    typing: function (d) { setStatus(d.on ? fmt(S.typing, { name: d.name || agentName || S.agent }) : ""); if (!d.on) render(); },
    read: function (d) { lastAgentRead = Math.max(lastAgentRead, d.upto || 0); receipts(); },
    contact: function (d) { visitor = d.visitor; show(el.followup, false); show(el.prechat, false); addSystem(fmt(S.saved_email, { email: visitor.email })); render(); },
    "offline.sent": function (d) { visitor = d.visitor; el.offline.reset(); show(el.offline, false); addSystem(fmt(S.offline_sent, { number: d.ticket })); state.offlineSent = true; render(); },
    "transcript.sent": function (d) { visitor = d.visitor; show(el.followup, false); addSystem(fmt(S.transcript_sent, { email: visitor.email })); },
    error: function (d) { el.error.textContent = d.message; el.error.hidden = false; setTimeout(function () { el.error.hidden = true; }, 6000); },
    pong: function () {}
  };

  function setSession(s) {
    session = s || null;
    if (session && session.agent) agentName = session.agent.name;
    if (session) lastAgentRead = Math.max(lastAgentRead, session.agent_read || 0);
    state.live = !!(session && ["queued", "assigned", "active"].indexOf(session.state) >= 0);
    save(STORE, state);
  }

  /* ---- what is shown ------------------------------------------------------------------------------ */
  function render() {
    if (!el.panel) return;
    el.badge.textContent = unread ? String(unread) : "";
    el.badge.hidden = !unread;
    var live = session && ["queued", "assigned", "active"].indexOf(session.state) >= 0;
    var offline = greeted && !live && cfg.offline_mode && !cfg.online && !state.offlineSent;
    var needContact = greeted && !live && !offline && cfg.prechat !== "off" && !visitor.email && !visitor.verified && !state.prechatDone;
    show(el.offline, offline);
    show(el.prechat, needContact);
    show(el.composer, !offline && !needContact);
    el.emailBtn.hidden = !!(visitor.email || visitor.verified) || !session;
    el.transcriptBtn.hidden = !session;
    el.endBtn.hidden = !live;
    if (live && session.state !== "active") setStatus(session.position ? fmt(S.queue, { position: session.position }) : S.waiting);
    else if (wsReady && el.status.textContent === S.connecting) setStatus("");
    receipts();
  }
  function show(node, visible) { if (node) node.hidden = !visible; }
  function setStatus(text) { if (el.status) el.status.textContent = text || ""; }

  function addSystem(text) {
    el.log.appendChild(h("li", { class: "msg sys", text: text }));
    el.log.scrollTop = el.log.scrollHeight;
  }
  function addMessage(m) {
    if (!m || seen[m.id]) return;
    seen[m.id] = true;
    var mine = m.from === "visitor";
    var who = mine ? S.you : (m.name || S.agent);
    var body = h("div", { class: "body" });
    var tpl = document.createElement("template");
    tpl.innerHTML = m.html || ""; // sanitized by the server when stored
    tpl.content.querySelectorAll("a").forEach(function (a) { a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener noreferrer nofollow"); });
    tpl.content.querySelectorAll("script,style,iframe,object,embed").forEach(function (n) { n.remove(); });
    body.appendChild(tpl.content);
    (m.files || []).forEach(function (f) { body.appendChild(h("p", { text: "📎 " + f.name })); });
    var time = new Date(m.at);
    var li = h("li", { class: "msg " + (mine ? "mine" : m.from === "system" ? "sys" : "theirs"), "data-id": m.id, "data-mine": mine ? "1" : "" }, [
      h("span", { class: "sr", text: who + ": " }), body,
      h("span", { class: "meta" }, [h("time", { datetime: m.at, text: isNaN(time) ? "" : time.toLocaleTimeString(cfg.language, { hour: "2-digit", minute: "2-digit" }) }),
        mine ? h("span", { class: "receipt", text: "" }) : null])]);
    var later = Array.prototype.filter.call(el.log.querySelectorAll("[data-id]"), function (n) { return +n.getAttribute("data-id") > m.id; });
    if (later.length) el.log.insertBefore(li, later[0]); else el.log.appendChild(li);
    el.log.scrollTop = el.log.scrollHeight;
    receipts();
  }
  function receipts() {
    if (!el.log) return;
    el.log.querySelectorAll("[data-mine='1']").forEach(function (li) {
      var r = li.querySelector(".receipt");
      if (r) r.textContent = " · " + (+li.getAttribute("data-id") <= lastAgentRead ? S.seen : S.sent);
    });
  }
  function markRead() {
    if (!isOpen || document.visibilityState !== "visible") return;
    var theirs = el.log && el.log.querySelectorAll(".theirs[data-id]");
    if (theirs && theirs.length) send({ type: "read", upto: +theirs[theirs.length - 1].getAttribute("data-id") });
  }
  document.addEventListener("visibilitychange", markRead);

  /* ---- the visitor acts ------------------------------------------------------------------------ */
  function onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); onSend(e); }
  }
  function onSend(e) {
    e.preventDefault();
    var text = el.text.value.trim();
    if (!text) return;
    send({ type: "message", text: text, ref: Date.now() });
    el.text.value = "";
    clearTimeout(typingIdle);
    if (typingSent) { typingSent = 0; send({ type: "typing", on: false }); }
  }
  function onTyping() {
    var now = Date.now();
    if (now - typingSent > 2000) { typingSent = now; send({ type: "typing", on: true }); }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(function () { typingSent = 0; send({ type: "typing", on: false }); }, 4000);
  }
  function onContact(kind, form) {
    var data = { name: form.name ? form.name.value : "", email: form.email ? form.email.value : "" };
    if (kind === "offline") { send({ type: "offline", name: data.name, email: data.email, text: form.text.value }); return; }
    if (kind === "prechat" && !data.email) { state.prechatDone = true; save(STORE, state); render(); focusFirst(el.composer); return; }
    state.prechatDone = true; save(STORE, state);
    if (kind === "followup" && form.getAttribute("data-transcript")) {
      form.removeAttribute("data-transcript");
      send({ type: "transcript", email: data.email });
      return;
    }
    send({ type: "contact", name: data.name, email: data.email });
    if (kind === "prechat") { render(); focusFirst(el.composer); }
  }
  function onTranscript() {
    if (visitor.email || visitor.verified) send({ type: "transcript" });
    else { el.followup.setAttribute("data-transcript", "1"); show(el.followup, true); focusFirst(el.followup); }
  }
  function onFile() {
    var file = el.file.files && el.file.files[0];
    el.file.value = "";
    if (!file) return;
    if (file.size > cfg.max_file_bytes) { handlers.error({ message: fmt(S.file_too_large, { size: Math.round(cfg.max_file_bytes / 1048576) }) }); return; }
    if (!state.token) { handlers.error({ message: S.connecting }); return; }
    var body = new FormData();
    body.append("token", state.token); body.append("file", file); body.append("lang", cfg.language);
    fetch(BASE + "/chat/api/" + encodeURIComponent(KEY) + "/upload/", { method: "POST", body: body, credentials: "omit" })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); })
      .then(function (res) {
        if (!res.ok) { handlers.error({ message: (res.d.error || {}).message || "" }); return; }
        addMessage(res.d.message); setSession(res.d.session); render();
      }).catch(function () { handlers.error({ message: S.offline_net }); });
  }

  /* ---- proactive messages: "on a page matching /pricing for 30 s, show this" ---------------------------- */
  function triggers() {
    (cfg.triggers || []).some(function (t) {
      var pattern = new RegExp("^" + t.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
      if (!pattern.test(location.pathname) || state.live) return false;
      setTimeout(function () {
        if (isOpen || state.live) return;
        el.bubble.textContent = t.message;
        el.bubble.hidden = false;
        el.bubble.onclick = function () { open(true); };
        addSystem(t.message);
        unread++; render();
      }, Math.max(0, t.delay) * 1000);
      return true;
    });
  }
})();
