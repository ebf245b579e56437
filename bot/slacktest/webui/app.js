// The simulated workspace's page: it polls api/state (a long poll) and renders the
// workspace as one person sees it; what they do goes to api/<action> as JSON. Everything
// from the workspace is put in the page as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const ui = {
  as: params.get("as") || localStorage.getItem("slacksim.as") || "",
  channel: decodeURIComponent(location.hash.slice(1)),
  version: null,
  st: null,
  rendered: "",   // the JSON of the history on screen
  modalKey: "",   // id+hash of the modal on screen
  seen: JSON.parse(localStorage.getItem("slacksim.seen") || "{}"),
  threadTS: "",
  follow: null,   // {known: Set, until: ms}: open the next channel that appears for me
  homeAsked: "",
  ctl: null,
};

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}

function notice(text) {
  const n = $("notice");
  n.textContent = text || "";
  n.hidden = !text;
}

async function act(path, body) {
  const res = await fetch("api/" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign({ as: ui.as }, body)),
  });
  let out = {};
  try { out = await res.json(); } catch (e) { /* an empty answer */ }
  if (!res.ok) throw new Error(out.error || res.statusText);
  return out;
}

// --- polling ----------------------------------------------------------------------

async function poll() {
  for (;;) {
    ui.ctl = new AbortController();
    const q = new URLSearchParams({ as: ui.as, channel: ui.channel });
    if (ui.version !== null) q.set("after", ui.version);
    try {
      const res = await fetch("api/state?" + q, { signal: ui.ctl.signal, cache: "no-store" });
      if (res.status === 404 && ui.as) {
        // Someone remembered from another workspace: act as its default person instead.
        ui.as = "";
        localStorage.removeItem("slacksim.as");
        ui.version = null;
        continue;
      }
      if (!res.ok) throw new Error((await res.json()).error || res.statusText);
      const st = await res.json();
      ui.version = st.version;
      render(st);
      if ($("notice").dataset.poll) { notice(""); delete $("notice").dataset.poll; }
    } catch (e) {
      if (e.name === "AbortError") { ui.version = null; continue; }
      notice("The workspace does not answer (" + e.message + "); trying again…");
      $("notice").dataset.poll = "1";
      ui.version = null;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

// refresh asks for the state at once (after the person changed what they look at).
function refresh() {
  ui.version = null;
  if (ui.ctl) ui.ctl.abort();
}

// --- rendering --------------------------------------------------------------------

function userName(id) {
  const u = ui.st && ui.st.users.find((x) => x.id === id);
  return u ? (u.real_name || u.name) : id;
}

// channelLabel names a channel in text: "#name", or the app for the DM with it.
function channelLabel(c) {
  if (c.im) return userName("UBOT") || "App";
  return "#" + c.name;
}

// channelTitle is the channel's name with Slack's sign: # for public, a lock for private.
function channelTitle(c) {
  if (c.im) return document.createTextNode(channelLabel(c));
  const frag = document.createDocumentFragment();
  if (c.private) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "lock");
    svg.setAttribute("aria-label", "private");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z");
    svg.append(path);
    frag.append(svg, " ");
  } else {
    frag.append("# ");
  }
  frag.append(c.name);
  return frag;
}

// emoji shows the shortcodes the app uses as plain symbols (any font has them).
const emoji = {
  white_check_mark: ["✔", "green"], large_green_circle: ["●", "green"], large_orange_circle: ["●", "orange"],
  red_circle: ["●", "red"], x: ["✖", "red"], warning: ["⚠", "orange"], lock: ["🔒", ""], star: ["★", "orange"],
  speech_balloon: ["💬", ""], bust_in_silhouette: ["👤", ""], hourglass_flowing_sand: ["⌛", ""],
  arrow_right: ["→", ""], leftwards_arrow_with_hook: ["↩", ""], paperclip: ["📎", ""],
};

function emojiNode(name) {
  const e = emoji[name];
  return e ? el("span", { class: "emoji " + e[1], title: ":" + name + ":" }, e[0]) : document.createTextNode(":" + name + ":");
}

function render(st) {
  ui.st = st;
  document.title = st.title;
  $("workspace").textContent = st.title;
  if (!ui.as) ui.as = st.me;
  renderPeople(st);
  if (ui.follow) followNewChannel(st);
  if (!ui.channel || (ui.channel !== "home" && !st.channels.some((c) => c.id === ui.channel))) {
    const first = st.channels.find((c) => !c.im);
    if (first) { select(first.id); return; }
  }
  renderSidebar(st);
  renderMain(st);
  renderModal(st.modal);
}

function renderPeople(st) {
  const sel = $("as");
  const people = st.users.filter((u) => !u.bot);
  const key = people.map((u) => u.id).join(",");
  if (sel.dataset.key !== key) {
    sel.replaceChildren(...people.map((u) =>
      el("option", { value: u.id }, (u.real_name || u.name) + (u.admin ? " (admin)" : ""))));
    sel.dataset.key = key;
  }
  const me = people.find((u) => u.id === ui.as || u.name === ui.as);
  if (me) { ui.as = me.id; sel.value = me.id; }
}

function renderSidebar(st) {
  const item = (id, label, c) => {
    const cls = [];
    if (id === ui.channel) cls.push("current");
    if (c && c.archived) cls.push("archived");
    if (c && c.latest && id !== ui.channel && c.latest > (ui.seen[id] || "")) cls.push("unread");
    return el("li", {}, el("button", { type: "button", class: cls.join(" "), "data-channel": id,
      "data-name": c ? (c.name || "dm") : id, onclick: () => select(id) }, label));
  };
  $("channels").replaceChildren(...st.channels.filter((c) => !c.im).map((c) => item(c.id, channelTitle(c), c)));
  $("dms").replaceChildren(...st.channels.filter((c) => c.im).map((c) => item(c.id, channelTitle(c), c)));
  $("apps").replaceChildren(item("home", userName("UBOT") + " (App Home)", null));
  $("globals").replaceChildren(...st.shortcuts.global.map((s) =>
    el("button", { type: "button", onclick: () => run(() => act("global", { callback_id: s.callback_id })) }, "⚡ " + s.name)));
}

function select(id) {
  if (ui.channel !== id) {
    ui.channel = id;
    ui.threadTS = "";
    ui.rendered = "";
    history.replaceState(null, "", "#" + encodeURIComponent(id));
  }
  refresh();
}

function renderMain(st) {
  if (ui.channel === "home") return renderHome(st);
  const c = st.channels.find((x) => x.id === ui.channel);
  const h = st.channel;
  if (!c || !h) return;
  $("title").replaceChildren(channelTitle(c));
  $("meta").textContent = c.im ? "direct messages with the app" :
    `${c.private ? "private · " : ""}${c.members} member${c.members === 1 ? "" : "s"}${c.archived ? " · archived" : ""}`;
  if (c.latest) { ui.seen[c.id] = c.latest; localStorage.setItem("slacksim.seen", JSON.stringify(ui.seen)); }
  const composer = $("composer");
  composer.hidden = !c.member || c.archived;
  $("text").placeholder = "Message " + channelLabel(c) + " as " + userName(ui.as);
  $("threadnote").hidden = !ui.threadTS;
  const json = JSON.stringify(h) + ui.as;
  if (json === ui.rendered) return;
  ui.rendered = json;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
  const items = h.messages.map((m) => ({ m, eph: false }))
    .concat(h.ephemerals.map((m) => ({ m, eph: true })))
    .sort((a, b) => (a.m.ts < b.m.ts ? -1 : a.m.ts > b.m.ts ? 1 : 0));
  const nodes = items.map(({ m, eph }) => renderMsg(m, c, eph, false));
  if (!nodes.length) nodes.push(el("p", { class: "msg system" }, c.member ? "No messages yet." : "You are not a member of this channel."));
  box.replaceChildren(...nodes);
  if (atBottom || !box.dataset.channel || box.dataset.channel !== c.id) box.scrollTop = box.scrollHeight;
  box.dataset.channel = c.id;
}

function renderHome(st) {
  $("title").textContent = userName("UBOT") + " — Home";
  $("meta").textContent = "";
  $("composer").hidden = true;
  if (!st.home) {
    if (ui.homeAsked !== ui.as) { ui.homeAsked = ui.as; act("home", {}).catch((e) => notice(e.message)); }
    $("messages").replaceChildren(el("p", { class: "msg system" }, "Opening the app's Home tab…"));
    ui.rendered = "";
    return;
  }
  const json = "home" + JSON.stringify(st.home);
  if (json === ui.rendered) return;
  ui.rendered = json;
  $("messages").replaceChildren(el("div", { class: "msg" }, renderBlocks(st.home.blocks, { view_id: st.home.id })));
}

function when(ts) {
  const d = new Date(parseFloat(ts) * 1000);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMsg(m, c, eph, inThread) {
  const system = m.subtype && m.subtype !== "file_share" && m.subtype !== "bot_message";
  const div = el("div", { class: "msg" + (eph ? " ephemeral" : "") + (system ? " system" : ""), "data-ts": m.ts });
  const name = m.username || userName(m.user);
  div.append(el("div", {}, el("span", { class: "who" }, name),
    m.bot ? el("span", { class: "badge" }, "APP") : null,
    el("span", { class: "when" }, when(m.ts) + (m.edited ? " (edited)" : "") + (eph ? " · only visible to you" : ""))));
  const hasBlocks = Array.isArray(m.blocks) && m.blocks.some((b) => b.type !== "rich_text");
  div.append(hasBlocks ? renderBlocks(m.blocks, eph ? null : { channel: c.id, ts: m.ts })
    : el("div", { class: "body" }, mrkdwn(m.text)));
  for (const f of m.files || []) div.append(el("div", { class: "body" }, "📎 " + f));
  if (m.reactions && m.reactions.length) div.append(el("div", { class: "reactions" }, ...m.reactions.map(emojiNode)));
  if (!eph && !system) div.append(tools(m, c, inThread));
  if (m.replies && m.replies.length) {
    div.append(el("div", { class: "thread-label" }, m.replies.length + (m.replies.length === 1 ? " reply" : " replies")));
    div.append(el("div", { class: "thread" }, ...m.replies.map((r) => renderMsg(r, c, false, true))));
  }
  return div;
}

function tools(m, c, inThread) {
  const t = el("div", { class: "tools" });
  if (!inThread && c.member && !c.archived) {
    t.append(el("button", { type: "button", onclick: () => {
      ui.threadTS = m.ts;
      $("threadtext").textContent = "Replying in the thread of " + (m.username || userName(m.user)) + "'s message (a thread reply)";
      $("threadnote").hidden = false;
      $("text").focus();
    } }, "Reply in thread"));
  }
  for (const s of ui.st.shortcuts.message) {
    t.append(el("button", { type: "button", "data-shortcut": s.callback_id,
      onclick: () => run(() => act("shortcut", { channel: c.id, ts: m.ts, callback_id: s.callback_id })) }, "⚡ " + s.name));
  }
  return t;
}

// text reads a text object (or a markdown block's string).
function text(t) {
  if (!t) return "";
  return typeof t === "string" ? t : t.text || "";
}

function textNode(t) {
  return t && t.type === "plain_text" ? document.createTextNode(text(t)) : mrkdwn(text(t));
}

function renderBlocks(blocks, where) {
  const out = el("div", { class: "blocks" });
  for (const b of blocks || []) {
    switch (b.type) {
      case "header":
        out.append(el("div", { class: "block header" }, text(b.text)));
        break;
      case "section": {
        const d = el("div", { class: "block section body" });
        if (b.text) d.append(textNode(b.text));
        if (b.fields) d.append(el("div", { class: "block fields" }, ...b.fields.map((f) => el("div", {}, textNode(f)))));
        if (b.accessory && b.accessory.type === "button") d.append(" ", button(b.accessory, b.block_id, where));
        out.append(d);
        break;
      }
      case "context":
        out.append(el("div", { class: "block context body" },
          ...(b.elements || []).filter((e) => e.type !== "image").map((e) => el("span", {}, textNode(e), " "))));
        break;
      case "divider":
        out.append(el("hr", { class: "block" }));
        break;
      case "actions":
        out.append(el("div", { class: "block actions" },
          ...(b.elements || []).filter((e) => e.type === "button").map((e) => button(e, b.block_id, where))));
        break;
      case "markdown":
        out.append(el("div", { class: "block body" }, mrkdwn(text(b.text))));
        break;
      case "image":
        out.append(el("div", { class: "block context" }, "[image: " + (b.alt_text || "") + "]"));
        break;
      case "rich_text":
        out.append(el("div", { class: "block body" }, richText(b)));
        break;
      case "input":
        out.append(input(b));
        break;
    }
  }
  return out;
}

function richText(b) {
  const parts = [];
  const walk = (e) => {
    if (e.type === "text" || e.type === "link") parts.push(e.text || e.url || "");
    else if (e.type === "user") parts.push("@" + userName(e.user_id));
    else if (e.type === "emoji") parts.push(emoji[e.name] ? emoji[e.name][0] : ":" + e.name + ":");
    for (const k of e.elements || []) walk(k);
  };
  walk(b);
  return parts.join("");
}

function button(e, blockID, where) {
  const cls = e.style === "primary" ? "primary" : e.style === "danger" ? "danger" : "";
  const label = text(e.text);
  if (!where) return el("button", { type: "button", disabled: true }, label);
  return el("button", { type: "button", class: cls, "data-action": e.action_id, onclick: (ev) => {
    ev.preventDefault();
    if (e.url && /^https?:\/\//.test(e.url)) window.open(e.url, "_blank", "noopener");
    if (where.channel) ui.follow = { known: new Set(ui.st.channels.map((c) => c.id)), until: Date.now() + 15000 };
    run(() => act("click", Object.assign({ block_id: blockID, action_id: e.action_id }, where)), ev.target);
  } }, label);
}

// followNewChannel opens the first channel that appears for me soon after I clicked a
// message's button (Pick makes an inbox channel).
function followNewChannel(st) {
  if (Date.now() > ui.follow.until) { ui.follow = null; return; }
  const fresh = st.channels.find((c) => !c.im && c.member && !ui.follow.known.has(c.id));
  if (fresh) { ui.follow = null; select(fresh.id); }
}

async function run(f, btn) {
  if (btn) btn.disabled = true;
  try {
    notice("");
    return await f();
  } catch (e) {
    notice(e.message);
  } finally {
    if (btn) btn.disabled = false;
  }
}

// mrkdwn puts Slack's mrkdwn in the page as text: <@U1> mentions, <#C1> channel links
// (they open the channel), <url|label> links, *bold* and "> " quoted lines.
function mrkdwn(s) {
  const out = document.createDocumentFragment();
  (s || "").split("\n").forEach((line, i) => {
    if (i > 0) out.append("\n");
    const q = /^(&gt;|>) ?/.exec(line);
    if (q) out.append(el("span", { class: "quote" }, inline(line.slice(q[0].length))));
    else out.append(inline(line));
  });
  return out;
}

function inline(s) {
  const frag = document.createDocumentFragment();
  const unescape = (t) => t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const plain = (t) => {
    const bits = t.split(/(\*[^*\n]+\*|:[a-z0-9_+-]+:)/);
    for (const bit of bits) {
      if (/^\*[^*\n]+\*$/.test(bit)) frag.append(el("strong", {}, unescape(bit.slice(1, -1))));
      else if (/^:[a-z0-9_+-]+:$/.test(bit)) frag.append(emojiNode(bit.slice(1, -1)));
      else if (bit) frag.append(unescape(bit));
    }
  };
  let last = 0;
  for (const m of (s || "").matchAll(/<([^<>]+)>/g)) {
    plain(s.slice(last, m.index));
    last = m.index + m[0].length;
    const [target, label] = m[1].split("|", 2);
    if (target.startsWith("@")) {
      frag.append(el("span", { class: "mention" }, "@" + userName(target.slice(1))));
    } else if (target.startsWith("#")) {
      const id = target.slice(1);
      const c = ui.st && ui.st.channels.find((x) => x.id === id);
      frag.append(el("a", { class: "chan", href: "#" + id, onclick: (ev) => { ev.preventDefault(); if (c) select(id); } },
        "#" + (c ? c.name : label || id)));
    } else if (target.startsWith("!")) {
      frag.append(el("span", { class: "mention" }, "@" + (label || target.slice(1))));
    } else if (/^https?:\/\//.test(target)) {
      frag.append(el("a", { href: target, target: "_blank", rel: "noopener" }, unescape(label || target)));
    } else {
      frag.append(unescape(label || target));
    }
  }
  plain((s || "").slice(last));
  return frag;
}

// --- modals -----------------------------------------------------------------------

function renderModal(m) {
  const overlay = $("overlay");
  if (!m) { overlay.hidden = true; ui.modalKey = ""; return; }
  const key = m.id + ":" + m.hash;
  overlay.hidden = false;
  if (key === ui.modalKey) return;
  ui.modalKey = key;
  $("modaltitle").textContent = m.title;
  $("modalerror").hidden = true;
  $("modalbody").replaceChildren(renderBlocks(m.blocks, { view_id: m.id }));
  $("modalclose").textContent = m.close || "Cancel";
  $("modalsubmit").textContent = m.submit || "Submit";
  $("modalsubmit").hidden = !m.submit;
  $("modal").dataset.view = m.id;
}

function options(e) {
  let list = e.options || [];
  for (const g of e.option_groups || []) list = list.concat(g.options || []);
  return list;
}

function input(b) {
  const e = b.element || {};
  const d = el("div", { class: "input", "data-block": b.block_id, "data-type": e.type });
  d.append(el("label", { class: "label" }, text(b.label), b.optional ? el("span", { class: "optional" }, " (optional)") : null));
  const people = ui.st.users.filter((u) => !u.bot).map((u) => ({ value: u.id, text: { text: u.real_name || u.name } }));
  const chans = ui.st.channels.filter((c) => !c.im).map((c) => ({ value: c.id, text: { text: "#" + c.name } }));
  const select = (opts, multiple, initial) => {
    const s = el("select", { multiple });
    if (!multiple) s.append(el("option", { value: "" }, e.placeholder ? text(e.placeholder) : "Choose…"));
    for (const o of opts) s.append(el("option", { value: o.value, selected: initial.includes(o.value) }, text(o.text)));
    return s;
  };
  switch (e.type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input":
      d.append(e.multiline
        ? el("textarea", { rows: 3, placeholder: text(e.placeholder) || null })
        : el("input", { type: "text", placeholder: text(e.placeholder) || null }));
      d.lastChild.value = e.initial_value || "";
      break;
    case "static_select":
    case "external_select":
      d.append(select(options(e), false, e.initial_option ? [e.initial_option.value] : []));
      break;
    case "multi_static_select":
      d.append(select(options(e), true, (e.initial_options || []).map((o) => o.value)));
      break;
    case "users_select":
      d.append(select(people, false, [e.initial_user]));
      break;
    case "multi_users_select":
      d.append(select(people, true, e.initial_users || []));
      break;
    case "conversations_select":
    case "channels_select":
      d.append(select(chans, false, [e.initial_conversation || e.initial_channel]));
      break;
    case "multi_conversations_select":
    case "multi_channels_select":
      d.append(select(chans, true, e.initial_conversations || e.initial_channels || []));
      break;
    case "radio_buttons":
    case "checkboxes": {
      const kind = e.type === "radio_buttons" ? "radio" : "checkbox";
      const init = e.type === "radio_buttons" ? (e.initial_option ? [e.initial_option.value] : [])
        : (e.initial_options || []).map((o) => o.value);
      for (const o of options(e)) {
        d.append(el("label", { class: "choice" },
          el("input", { type: kind, name: "b-" + b.block_id, value: o.value, checked: init.includes(o.value) }), " ", text(o.text)));
      }
      break;
    }
    default:
      d.append(el("p", { class: "error" }, "(a " + e.type + " is not simulated)"));
  }
  d.append(el("p", { class: "error field-error", hidden: true }));
  return d;
}

function collect() {
  const values = {};
  for (const d of $("modalbody").querySelectorAll(".input")) {
    const t = d.dataset.type;
    const sel = d.querySelector("select");
    if (t === "radio_buttons") {
      const c = d.querySelector("input:checked");
      if (c) values[d.dataset.block] = c.value;
    } else if (t === "checkboxes") {
      values[d.dataset.block] = [...d.querySelectorAll("input:checked")].map((c) => c.value);
    } else if (sel && sel.multiple) {
      values[d.dataset.block] = [...sel.selectedOptions].map((o) => o.value);
    } else if (sel) {
      values[d.dataset.block] = sel.value;
    } else if (d.querySelector("input, textarea")) {
      values[d.dataset.block] = d.querySelector("input, textarea").value;
    }
  }
  return values;
}

function showErrors(errors) {
  for (const d of $("modalbody").querySelectorAll(".input")) {
    const p = d.querySelector(".field-error");
    const msg = errors && errors[d.dataset.block];
    p.textContent = msg || "";
    p.hidden = !msg;
  }
}

$("modal").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const btn = $("modalsubmit");
  btn.disabled = true;
  try {
    const res = await act("submit", { view_id: $("modal").dataset.view, values: collect() });
    showErrors(res.errors);
    $("modalerror").hidden = true;
  } catch (e) {
    $("modalerror").textContent = e.message;
    $("modalerror").hidden = false;
  } finally {
    btn.disabled = false;
  }
});

$("modalclose").addEventListener("click", () => run(() => act("close", { view_id: $("modal").dataset.view })));

// --- composing --------------------------------------------------------------------

$("composer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const box = $("text");
  if (!box.value.trim()) return;
  const sent = await run(() => act("post", { channel: ui.channel, text: box.value, thread_ts: ui.threadTS || undefined }), $("send"));
  if (sent) { box.value = ""; ui.threadTS = ""; $("threadnote").hidden = true; }
});

$("text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("composer").requestSubmit(); }
});

$("unthread").addEventListener("click", () => { ui.threadTS = ""; $("threadnote").hidden = true; });

$("as").addEventListener("change", () => {
  ui.as = $("as").value;
  localStorage.setItem("slacksim.as", ui.as);
  ui.rendered = "";
  ui.modalKey = "";
  refresh();
});

poll();
