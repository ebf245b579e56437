/* Frontdesk website chat widget, served by Frontdesk at /widget.js (see docs/widget.md for
   the one tag that embeds it). No build step: plain JS. Every message is rendered with
   textContent, never as HTML. */
(function () {
  "use strict";
  var C = /*CONFIG*/{};
  var me = document.currentScript;
  if (!me || window.frontdeskWidget) return;
  var base = new URL(me.src).origin;
  var KEY = "frontdesk-widget:" + base + ":";
  var d = document;

  function load(k) { try { return JSON.parse(localStorage.getItem(KEY + k)); } catch (e) { return null; } }
  function save(k, v) { try { localStorage.setItem(KEY + k, JSON.stringify(v)); } catch (e) { /* private mode */ } }

  var token = load("token"), seen = load("seen") || "", profile = load("profile");
  var pending = load("pending") || []; // [{id, text, files}] sent but not acknowledged
  var after = "", rendered = {}, ws = null, retries = 0, timer = null, isOpen = false;
  var ratingBox = null;

  // ---- DOM, in a shadow root so the site's CSS and ours do not mix ----
  function el(tag, attrs, text) {
    var e = d.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  // icon is a decorative 24×24 SVG of one path.
  function icon(shape) {
    var svg = d.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = d.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", shape);
    svg.appendChild(path);
    return svg;
  }
  var host = el("div", { id: "frontdesk-widget" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var style = el("style", {}, [
    ":host{all:initial}",
    "*{box-sizing:border-box;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}",
    "p{margin:0}",
    ".bubble{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:var(--c);color:#fff;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.25);z-index:2147483000}",
    ".bubble svg{width:28px;height:28px;fill:#fff}",
    ".panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 110px);display:flex;flex-direction:column;background:#fff;color:#111;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;z-index:2147483000}",
    ".panel[hidden],form[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:12px 16px;background:var(--c);color:#fff}",
    "h2{margin:0;font-size:16px;font-weight:600;color:#fff}",
    "header button{background:none;border:0;color:#fff;font-size:22px;cursor:pointer;line-height:1;padding:2px 6px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f7f7f8}",
    ".m{max-width:80%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".v{align-self:flex-end;background:var(--c);color:#fff}",
    ".a{align-self:flex-start;background:#fff;border:1px solid #ddd}",
    ".who{display:block;font-size:12px;font-weight:600;color:#555}",
    ".pending{opacity:.6}.failed{outline:2px solid #c00}",
    ".ed{font-size:11px;color:#777}.gone{font-style:italic;color:#777}",
    ".f{display:block;margin-top:4px}.f img{max-width:100%;max-height:240px;border-radius:8px;display:block}",
    ".n{align-self:center;font-size:12px;color:#555;text-align:center}",
    ".rate{align-self:center;text-align:center}.rate button{margin:2px;width:36px;height:36px;border-radius:6px;border:1px solid #bbb;background:#fff;cursor:pointer}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #eee;background:#fff}",
    ".pre{flex-direction:column}",
    "textarea,input{flex:1;border:1px solid #ccc;border-radius:8px;padding:8px;resize:none;color:#111;background:#fff}",
    "form button{background:var(--c);color:#fff;border:0;border-radius:8px;padding:8px 14px;cursor:pointer}",
    "form .attach{background:#fff;border:1px solid #ccc;padding:6px 8px}",
    ".attach svg{width:20px;height:20px;fill:none;stroke:#444;stroke-width:1.8;stroke-linecap:round;display:block}",
    ".v .f img{border:1px solid rgba(255,255,255,.5)}.v a.f{color:#fff}",
    "button:focus-visible,textarea:focus,input:focus{outline:3px solid #fbbf24;outline-offset:1px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    ".status{font-size:12px;color:#b00;padding:0 12px}"
  ].join(""));
  host.style.setProperty("--c", C.color);

  var bubble = el("button", { "class": "bubble", type: "button", "aria-label": "Open chat: " + C.title,
    "aria-expanded": "false", "aria-controls": "fd-panel" });
  bubble.appendChild(icon("M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"));

  var panel = el("section", { "class": "panel", id: "fd-panel", role: "dialog", "aria-labelledby": "fd-title", hidden: "" });
  var header = el("header");
  var close = el("button", { type: "button", "aria-label": "Close chat" }, "\u00d7");
  header.appendChild(el("h2", { id: "fd-title" }, C.title));
  header.appendChild(close);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
  var status = el("div", { "class": "status", role: "status", "aria-live": "assertive" });

  var pre = el("form", { "class": "pre", "aria-label": "Before we start" });
  var name = el("input", { id: "fd-name", autocomplete: "name", maxlength: "200" });
  var email = el("input", { id: "fd-email", type: "email", autocomplete: "email", maxlength: "254" });
  pre.appendChild(el("label", { "for": "fd-name" }, "Name (optional)"));
  pre.appendChild(name);
  pre.appendChild(el("label", { "for": "fd-email" }, "Email (optional)"));
  pre.appendChild(email);
  pre.appendChild(el("button", { type: "submit" }, "Start chat"));

  var form = el("form", { "class": "compose" });
  var input = el("textarea", { id: "fd-input", rows: "2", placeholder: "Type your message\u2026" });
  form.appendChild(el("label", { "for": "fd-input", "class": "sr" }, "Message"));
  form.appendChild(input);
  // Files: offered when the server takes them (C.files: the size limit and the types).
  var picker = null, attach = null;
  if (C.files) {
    picker = el("input", { type: "file", id: "fd-file", "class": "sr", tabindex: "-1", accept: C.files.types.join(","), multiple: "" });
    attach = el("button", { type: "button", "class": "attach", "aria-label": "Attach a file", title: "Attach a file" });
    attach.appendChild(icon("M15 7v9a3 3 0 0 1-6 0V6a2 2 0 0 1 4 0v9a1 1 0 0 1-2 0V8")); // a paperclip
    attach.onclick = function () { picker.click(); };
    picker.onchange = function () { attachFiles(Array.prototype.slice.call(picker.files, 0, 5)); picker.value = ""; };
    form.appendChild(picker);
    form.appendChild(attach);
  }
  form.appendChild(el("button", { type: "submit" }, "Send"));

  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(pre);
  panel.appendChild(form);
  root.appendChild(style);
  root.appendChild(bubble);
  root.appendChild(panel);
  note(C.greeting, "greeting");
  showForms();

  function showForms() {
    var ask = C.prechat && !profile && !after;
    pre.hidden = !ask;
    form.hidden = ask;
  }

  // ---- rendering: textContent only ----
  function add(node) {
    var stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
    log.appendChild(node);
    if (stick || isOpen) log.scrollTop = log.scrollHeight;
    return node;
  }
  function note(text, cls) { return add(el("p", { "class": "n " + (cls || "") }, text)); }
  function visitorLine(id, text, cls, atts) {
    var p = el("p", { "class": "m v " + (cls || ""), "data-id": id });
    p.appendChild(el("span", { "class": "sr" }, "You: "));
    p.appendChild(d.createTextNode(text || ""));
    showFiles(p, atts);
    return add(p);
  }
  function agentLine(it) {
    var p = el("p", { "class": "m a", "data-agent-id": it.id || "" });
    p.appendChild(el("span", { "class": "who" }, it.agent || "Support"));
    p.appendChild(el("span", { "class": "t" }, it.text || ""));
    showFiles(p, it.attachments);
    return add(p);
  }
  // showFiles adds a message's files to its bubble: images inline (the link opens them
  // whole), other files as links with their size.
  function showFiles(p, list) {
    (list || []).forEach(function (a) {
      if (!/^https?:\/\//i.test(a.url)) return;
      var link = el("a", { href: a.url, target: "_blank", rel: "noopener noreferrer", "class": "f" });
      if (/^image\/(png|jpe?g|gif|webp)$/i.test(a.mime || "")) {
        link.appendChild(el("img", { src: a.url, alt: a.name || "image", loading: "lazy" }));
      } else {
        link.textContent = (a.name || "attachment") + (a.size > 0 ? " (" + size(a.size) + ")" : "");
      }
      p.appendChild(link);
    });
  }
  function size(n) {
    return n < 1024 ? n + " B" : n < 1048576 ? Math.round(n / 1024) + " KB" : (n / 1048576).toFixed(1) + " MB";
  }
  function rating(question) {
    ratingBox = el("div", { "class": "rate", role: "group", "aria-label": question });
    ratingBox.appendChild(el("p", {}, question));
    for (var i = 1; i <= 5; i++) {
      var b = el("button", { type: "button", "aria-label": "Rate " + i + " out of 5" }, String(i));
      b.onclick = rate.bind(null, i);
      ratingBox.appendChild(b);
    }
    add(ratingBox);
  }
  function render(it) {
    switch (it.kind) {
      case "visitor": {
        var mine = log.querySelector('[data-id="' + CSS.escape(it.id) + '"]');
        if (mine) mine.className = "m v"; else visitorLine(it.id, it.text, "", it.attachments);
        return;
      }
      case "message": agentLine(it); return;
      case "edited":
      case "deleted": {
        // An agent changed a message: it shows as it now is (the feed replays the change
        // after a reload too).
        var said = it.id && log.querySelector('[data-agent-id="' + CSS.escape(it.id) + '"]');
        if (!said) return;
        var t = said.querySelector(".t");
        if (it.kind === "deleted") {
          said.className = "m a gone";
          said.querySelectorAll("a").forEach(function (a) { a.remove(); });
          t.textContent = "This message was deleted.";
          return;
        }
        t.textContent = it.text || "";
        if (!said.querySelector(".ed")) said.appendChild(el("span", { "class": "ed" }, " (edited)"));
        return;
      }
      case "accepted": note(it.text || "An agent joined the chat."); return;
      case "transferred": note("Your chat was passed on to " + (it.team || "another team") + "; someone will be with you shortly."); return;
      case "handed_back": note("Your chat was passed on to our team."); return;
      case "ended":
        note(it.text || "This chat has ended.");
        if (ratingBox) ratingBox.remove();
        ratingBox = null;
        if (it.rating_question) rating(it.rating_question);
        return;
      case "rated":
        if (ratingBox) ratingBox.remove();
        ratingBox = null;
        note("Thank you for your rating.");
    }
  }

  // ---- open and close ----
  function open() {
    if (isOpen) return;
    isOpen = true;
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    bubble.setAttribute("aria-label", "Close chat: " + C.title);
    markSeen();
    log.scrollTop = log.scrollHeight;
    (pre.hidden ? input : name).focus();
    connect();
  }
  function hide() {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    bubble.setAttribute("aria-label", "Open chat: " + C.title);
    bubble.focus();
  }
  function markSeen() { if (isOpen && after) { seen = after; save("seen", seen); } }
  bubble.onclick = function () { if (isOpen) hide(); else open(); };
  close.onclick = hide;
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });

  // ---- sending ----
  function newID() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function bytes(s) { return new TextEncoder().encode(s).length; }
  function send(obj) {
    if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; }
    return false;
  }
  function sendMessage(m) {
    send({ type: "message", id: m.id, text: m.text, files: (m.files || []).map(function (f) { return f.id; }),
      name: profile && profile.name || "", email: profile && profile.email || "" });
  }
  function queue(m) {
    pending.push(m);
    save("pending", pending);
    visitorLine(m.id, m.text, "pending", m.files);
    sendMessage(m);
    connect();
  }
  // attachFiles uploads each file the visitor picked (checked here first, by the server
  // again) and sends them together as one message.
  function attachFiles(list) {
    var bad = list.filter(function (f) { return f.size > C.files.maxBytes || C.files.types.indexOf(f.type) < 0; })[0];
    if (bad) { status.textContent = bad.name + ": " + (bad.size > C.files.maxBytes ? C.files.tooLarge : C.files.wrongType) + "."; return; }
    if (!list.length) return;
    status.textContent = "Sending " + list.map(function (f) { return f.name; }).join(", ") + "\u2026";
    attach.disabled = true;
    (token ? Promise.resolve() : session()).then(function () {
      return Promise.all(list.map(function (f) {
        var body = new FormData();
        body.append("token", token);
        body.append("file", f, f.name);
        return fetch(base + "/widget/files", { method: "POST", body: body, credentials: "omit" }).then(function (r) {
          return r.json().then(function (b) {
            if (!r.ok) {
              if (r.status === 401) { token = null; save("token", null); }
              throw new Error(b.message || "the file was not sent");
            }
            return b;
          });
        });
      }));
    }).then(function (sent) {
      status.textContent = "";
      queue({ id: newID(), text: "", files: sent });
    }).catch(function (e) {
      status.textContent = e.message + ".";
    }).then(function () { attach.disabled = false; });
  }
  pre.onsubmit = function (e) {
    e.preventDefault();
    profile = { name: name.value.trim(), email: email.value.trim() };
    save("profile", profile);
    showForms();
    input.focus();
  };
  form.onsubmit = function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (bytes(text) > C.maxLength) { status.textContent = "That message is too long: keep it under " + C.maxLength + " bytes."; return; }
    status.textContent = "";
    input.value = "";
    queue({ id: newID(), text: text });
  };
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  function rate(n) { send({ type: "rate", rating: n, comment: "" }); }

  // ---- the connection: reconnects with backoff, resumes after the last item ----
  function session() {
    return fetch(base + "/widget/session", { method: "POST", credentials: "omit" }).then(function (r) {
      if (!r.ok) throw new Error("session " + r.status);
      return r.json();
    }).then(function (b) { token = b.token; save("token", token); });
  }
  function connect() {
    if (ws || timer) return;
    (token ? Promise.resolve() : session()).then(function () {
      var s = ws = new WebSocket(base.replace(/^http/, "ws") + "/widget/ws");
      s.onopen = function () { s.send(JSON.stringify({ type: "hello", token: token, after: after })); };
      s.onmessage = function (e) { receive(JSON.parse(e.data)); };
      s.onclose = function (e) {
        ws = null;
        if (e.code === 4401) { token = null; save("token", null); }
        retry();
      };
    }).catch(retry);
  }
  function retry() {
    ws = null;
    var wait = Math.min(15000, 500 * Math.pow(2, retries++)) * (0.5 + Math.random() / 2);
    timer = setTimeout(function () { timer = null; connect(); }, wait);
  }
  function newer(a, b) { // stream ids "ms-n"
    var x = a.split("-"), y = (b || "0-0").split("-");
    return +x[0] > +y[0] || +x[0] === +y[0] && +x[1] > +y[1];
  }
  function receive(f) {
    switch (f.type) {
      case "ready":
        retries = 0;
        token = f.token;
        save("token", token);
        pending.forEach(sendMessage);
        return;
      case "item":
        if (rendered[f.seq]) return;
        rendered[f.seq] = true;
        after = f.seq;
        render(f.item);
        if (newer(f.seq, seen) && !isOpen && /^(message|accepted|ended)$/.test(f.item.kind)) open();
        markSeen();
        showForms();
        return;
      case "ack":
        pending = pending.filter(function (m) { return m.id !== f.id; });
        save("pending", pending);
        return;
      case "error":
        status.textContent = f.message;
        if (f.error === "bad_email") { profile = null; save("profile", null); showForms(); }
        if (f.id) {
          pending = pending.filter(function (m) { return m.id !== f.id; });
          save("pending", pending);
          var p = log.querySelector('[data-id="' + CSS.escape(f.id) + '"]');
          if (p) p.className = "m v failed";
        }
    }
  }

  window.frontdeskWidget = { open: open, close: hide };
  (d.body || d.documentElement).appendChild(host);
  pending.forEach(function (m) { visitorLine(m.id, m.text, "pending", m.files); });
  if (token) connect(); // a returning visitor: history, and replies while away
})();
