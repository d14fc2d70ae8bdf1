/* Awn chat console: lists refresh live, the open conversation talks over the desk socket (desk.js). */
(function () {
  "use strict";
  var live = window.AwnLive;
  var root = document.querySelector(".chat-console");
  if (!live || !root) return;
  var listsUrl = root.getAttribute("data-lists-url");
  var listTimer = null;

  function refreshLists() {
    clearTimeout(listTimer);
    listTimer = setTimeout(function () {
      var current = root.getAttribute("data-current") || "";
      live.fetchPage(listsUrl + "?current=" + encodeURIComponent(current)).then(function (doc) {
        var target = document.getElementById("chat-lists");
        if (target) { target.innerHTML = ""; Array.prototype.forEach.call(doc.body.childNodes, function (n) { target.appendChild(document.importNode(n, true)); }); }
      }).catch(function () {});
    }, 300);
  }
  live.on("chat", refreshLists);
  live.on("queue", refreshLists);

  var convo = document.getElementById("chat-conversation");
  if (!convo) return;
  var session = parseInt(convo.getAttribute("data-session"), 10);
  var ticket = parseInt(convo.getAttribute("data-ticket"), 10);
  var thread = convo.querySelector(".chat-thread");
  var typingEl = convo.querySelector(".chat-typing");
  var receiptEl = convo.querySelector(".chat-receipt");
  var statusEl = convo.querySelector(".chat-visitor-status");
  var form = convo.querySelector(".chat-compose");
  var text = form && form.querySelector("textarea");
  var ready = false;

  function view() { live.send({ type: "view", ticket: ticket }); }
  live.on("open", view);
  view();
  live.on("viewing", function (d) { if (d.ticket === ticket) ready = true; });

  function lastId() {
    var items = thread.querySelectorAll("[data-message]");
    return items.length ? parseInt(items[items.length - 1].getAttribute("data-message"), 10) : 0;
  }
  function markRead() {
    var id = lastId();
    if (id && document.visibilityState === "visible") live.send({ type: "read", ticket: ticket, upto: id });
  }
  document.addEventListener("visibilitychange", markRead);
  live.on("viewing", markRead);

  function append(m) {
    if (thread.querySelector('[data-message="' + m.id + '"]')) return;
    var li = document.createElement("li");
    li.className = "message " + (m.internal ? "internal" : m.from === "agent" ? "from-staff" : "from-customer");
    li.setAttribute("data-message", m.id);
    var meta = document.createElement("div");
    meta.className = "message-meta";
    var who = document.createElement("strong");
    var bdi = document.createElement("bdi");
    bdi.textContent = m.name || "";
    who.appendChild(bdi);
    meta.appendChild(who);
    var time = document.createElement("time");
    time.dateTime = m.at;
    time.textContent = new Date(m.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    meta.appendChild(time);
    var body = document.createElement("div");
    body.className = "message-body";
    body.dir = "auto";
    var tpl = document.createElement("template");
    tpl.innerHTML = m.html; // sanitized by the server (nh3) when the message was stored
    body.appendChild(tpl.content);
    li.appendChild(meta);
    li.appendChild(body);
    (m.files || []).forEach(function (f) {
      var p = document.createElement("p");
      p.className = "muted";
      p.textContent = "📎 " + f.name;
      li.appendChild(p);
    });
    thread.appendChild(li);
    li.scrollIntoView({ block: "nearest" });
  }

  live.on("ticket.page", function (d) {
    if (d.ticket !== ticket || !d.message) return;
    append(d.message);
    if (d.message.from !== "agent") { typingEl.textContent = ""; markRead(); }
  });
  live.on("typing", function (d) {
    if (d.ticket !== ticket || d.who !== "visitor") return;
    typingEl.textContent = d.on ? convo.getAttribute("data-str-typing") : "";
  });
  live.on("read", function (d) {
    if (d.ticket !== ticket || d.side !== "visitor") return;
    receiptEl.textContent = convo.getAttribute("data-str-seen");
    convo.setAttribute("data-visitor-read", d.upto);
  });
  live.on("visitor", function (d) {
    if (d.ticket !== ticket || !statusEl) return;
    statusEl.textContent = convo.getAttribute(d.online ? "data-str-online" : "data-str-offline");
    var page = convo.querySelector(".chat-current-page");
    if (page && d.page && /^https?:/.test(d.page.url)) {
      page.textContent = "";
      var a = document.createElement("a");
      a.href = d.page.url; a.rel = "noopener noreferrer"; a.target = "_blank";
      a.textContent = d.page.title || d.page.url;
      page.appendChild(a);
    }
  });
  live.on("chat", function (d) {
    if (d.session === session && d.change && d.change !== "offered") {
      live.fetchPage(location.pathname).then(function (doc) {
        var fresh = doc.getElementById("chat-conversation");
        if (fresh && !(text && text.value)) location.reload();
        else if (fresh) convo.setAttribute("data-state", fresh.getAttribute("data-state"));
      }).catch(function () {});
    }
  });
  live.on("error", function (d) {
    if (!form) return;
    var p = form.querySelector(".chat-error") || document.createElement("p");
    p.className = "alert alert-error chat-error";
    p.setAttribute("role", "alert");
    p.textContent = d.message;
    form.insertBefore(p, form.firstChild);
  });

  if (!form || !text) return;
  var typing = false, lastSent = 0, idle = null;
  function stopTyping() { if (typing) { typing = false; live.send({ type: "typing", ticket: ticket, on: false, public: true }); } }
  text.addEventListener("input", function () {
    var now = Date.now();
    if (!typing || now - lastSent > 3000) { typing = true; lastSent = now; live.send({ type: "typing", ticket: ticket, on: true, public: true }); }
    clearTimeout(idle);
    idle = setTimeout(stopTyping, 4000);
  });
  text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    if (!ready) return; // no socket: the form posts normally
    e.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    live.send({ type: "reply", session: session, text: value, ref: String(Date.now()) });
    text.value = "";
    clearTimeout(idle);
    stopTyping();
    var err = form.querySelector(".chat-error");
    if (err) err.remove();
  });
})();
