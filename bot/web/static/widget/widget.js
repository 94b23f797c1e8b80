/*
 * Wegwijzer Werk chat widget. Embed with one tag:
 *   <script src="https://…/widget/widget.js" data-gemeente="GM0344" data-title="…" data-color="#…"
 *           data-server="https://…" data-privacy-url="https://…"></script>
 * No framework and no build step. Everything is built with DOM calls and classes: no inline script, no style
 * attributes and no HTML strings, so it works under a strict Content-Security-Policy and never shows raw HTML.
 * The transcript is kept in sessionStorage (per browser tab) because Rasa's socket.io channel sends no history.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__wegwijzerWerk) { return; }
  window.__wegwijzerWerk = true;

  var BASE = script.src.replace(/[^/]*(\?.*)?$/, "");
  var STORE_KEY = "wegwijzer-werk";
  var MAX_STORED = 200;
  var MAX_LENGTH = 1000;
  var HUMAN_PAYLOAD = "/request_human";
  var SAFE_SCHEMES = ["http:", "https:", "mailto:", "tel:"];
  var TEXT = {
    launcher: "Vragen over werk? Chat met ons",
    title: script.dataset.title || "Wegwijzer Werk",
    close: "Chat sluiten",
    restart: "Opnieuw beginnen",
    larger: "Grotere letters",
    human: "Praat met een medewerker",
    input: "Typ je vraag",
    send: "Verstuur",
    privacy: "Je praat met een computerprogramma. Deel geen BSN of andere persoonlijke nummers.",
    privacyLink: "Lees hoe we met je gegevens omgaan",
    newWindow: " (opent in een nieuw venster)",
    you: "Jij: ",
    bot: "Wegwijzer: ",
    typing: "Wegwijzer typt",
    replies: "Kies een antwoord",
    waiting: "Wacht op verbinding",
    online: "Verbonden",
    connecting: "Verbinding maken …",
    offline: "Geen verbinding. We proberen het opnieuw. Je berichten worden verstuurd zodra het weer lukt.",
    unread: function (n) { return n === 1 ? "1 nieuw bericht" : n + " nieuwe berichten"; },
    restarted: "Het gesprek is opnieuw begonnen.",
    conversation: "Gesprek"
  };
  var config = {
    gemeente: (script.dataset.gemeente || "").trim().toUpperCase(),
    server: script.dataset.server || new URL(BASE).origin,
    privacyUrl: script.dataset.privacyUrl || BASE + "privacy",
    color: /^#[0-9a-fA-F]{6}$/.test(script.dataset.color || "") ? script.dataset.color : ""
  };

  // ---- state, kept in sessionStorage so a reload or another page of the same site shows the same conversation

  var state = load();
  var socket = null;
  var connection = "connecting";
  var sessionConfirmed = false;
  var greeted = false;
  var ui = {};

  function load() {
    var empty = { sessionId: null, messages: [], queue: [], unread: 0, open: false, large: false, restart: false };
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      return saved && Array.isArray(saved.messages) ? Object.assign(empty, saved) : empty;
    } catch (e) {
      return empty;  // storage blocked: the conversation then lasts as long as the page
    }
  }

  function save() {
    state.messages = state.messages.slice(-MAX_STORED);
    // What is stored never holds a personal number or e-mail address (see masked); the queue keeps its real
    // text in memory only, so a reload while offline sends the masked text and the assistant asks again.
    var stored = Object.assign({}, state, { queue: state.queue.map(masked) });
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(stored)); } catch (e) { /* memory only */ }
  }

  // Phone numbers, BSN and IBAN never persist anywhere, the browser's storage included: the transcript keeps
  // them masked, as the assistant's own records do. Nine digits or more is a personal number (a date has eight).
  var IBAN = /\b[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]){10,30}\b/g;
  var EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
  var NUMBER = /\+?\d[\d\s().\/-]*\d/g;

  function masked(text) {
    return String(text).replace(IBAN, "[rekeningnummer]").replace(EMAIL, "[e-mailadres]").replace(NUMBER, function (found) {
      return found.replace(/\D/g, "").length >= 9 ? "[nummer]" : found;
    });
  }

  // ---- small DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function button(className, text, onClick) {
    var node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function srOnly(text) { return el("span", "ww-sr", text); }

  // ---- a small, safe Markdown subset: **bold**, [text](url), bare links, "- " and "1. " lists

  var INLINE = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?])/g;

  function safeHref(href) {
    try {
      var url = new URL(href);
      return SAFE_SCHEMES.indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(text, href) {
    var safe = safeHref(href);
    if (!safe) { return document.createTextNode(text); }
    var a = el("a", "ww-link", text);
    a.href = safe;
    if (/^https?:/.test(safe)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(srOnly(TEXT.newWindow));
    }
    return a;
  }

  function appendInline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) {
        parent.appendChild(el("strong", "", match[1]));
      } else if (match[2] !== undefined) {
        parent.appendChild(link(match[2], match[3]));
      } else {
        parent.appendChild(link(match[4], match[4]));
      }
      last = INLINE.lastIndex;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // What a screen reader announces: the words, without Markdown signs ("**", "[…](…)").
  function plainText(text) {
    return String(text || "").replace(/\*\*([^*]+)\*\*/g, "$1").replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, "$1");
  }

  function renderMarkdown(text) {
    var root = el("div", "ww-text");
    var list = null;
    var paragraph = null;
    String(text || "").split("\n").forEach(function (line) {
      var bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
      var numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      var item = bullet || numbered;
      if (item) {
        var kind = bullet ? "UL" : "OL";
        if (!list || list.tagName !== kind) { list = root.appendChild(el(kind.toLowerCase())); }
        appendInline(list.appendChild(el("li")), item[1]);
        paragraph = null;
      } else if (!line.trim()) {
        list = null;
        paragraph = null;
      } else {
        list = null;
        if (paragraph) { paragraph.appendChild(el("br")); } else { paragraph = root.appendChild(el("p")); }
        appendInline(paragraph, line);
      }
    });
    return root;
  }

  // ---- building the widget

  function build() {
    var root = el("div", "ww-root");
    root.lang = "nl";
    if (config.color) {
      // A CSS custom property set through CSSOM, which a strict CSP allows (no style attribute in markup).
      root.style.setProperty("--ww-accent", config.color);
      if (luminance(config.color) > 0.18) { root.classList.add("ww-accent-light"); }
    }
    if (state.large) { root.classList.add("ww-large"); }

    ui.launcher = button("ww-launcher", "", toggle);
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.launcher.setAttribute("aria-controls", "ww-panel");
    ui.launcher.appendChild(el("span", "ww-launcher-icon", "?")).setAttribute("aria-hidden", "true");
    ui.launcher.appendChild(el("span", "ww-launcher-label", TEXT.launcher));
    ui.badge = ui.launcher.appendChild(el("span", "ww-badge"));
    ui.badge.hidden = true;

    ui.panel = el("section", "ww-panel");
    ui.panel.id = "ww-panel";
    ui.panel.setAttribute("role", "dialog");
    ui.panel.setAttribute("aria-labelledby", "ww-title");
    ui.panel.hidden = true;

    var header = ui.panel.appendChild(el("div", "ww-header"));
    var heading = header.appendChild(el("h2", "ww-title", TEXT.title));
    heading.id = "ww-title";
    ui.status = header.appendChild(el("p", "ww-status"));
    ui.status.setAttribute("role", "status");
    var tools = header.appendChild(el("div", "ww-tools"));
    ui.large = tools.appendChild(button("ww-tool", TEXT.larger, toggleLarge));
    ui.large.setAttribute("aria-pressed", String(state.large));
    tools.appendChild(button("ww-tool", TEXT.restart, restart));
    var close = tools.appendChild(button("ww-tool ww-close", "", closePanel));
    close.setAttribute("aria-label", TEXT.close);
    close.appendChild(el("span", "", "Sluiten"));
    close.appendChild(el("span", "ww-close-mark", "×")).setAttribute("aria-hidden", "true");

    ui.messages = ui.panel.appendChild(el("ol", "ww-messages"));
    ui.messages.setAttribute("aria-label", TEXT.conversation);
    ui.messages.tabIndex = 0;
    ui.typing = ui.panel.appendChild(el("p", "ww-typing", TEXT.typing));
    ui.typing.appendChild(el("span", "ww-dots", "…")).setAttribute("aria-hidden", "true");
    ui.typing.hidden = true;

    var footer = ui.panel.appendChild(el("div", "ww-footer"));
    footer.appendChild(button("ww-human", TEXT.human, function () { send(TEXT.human, HUMAN_PAYLOAD); }));
    var form = footer.appendChild(el("form", "ww-form"));
    var label = form.appendChild(el("label", "ww-sr", TEXT.input));
    label.htmlFor = "ww-input";
    ui.input = form.appendChild(el("input", "ww-input"));
    ui.input.id = "ww-input";
    ui.input.type = "text";
    ui.input.maxLength = MAX_LENGTH;
    ui.input.autocomplete = "off";
    ui.input.placeholder = TEXT.input;
    var submit = form.appendChild(el("button", "ww-send", TEXT.send));
    submit.type = "submit";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (text) { send(text, null); ui.input.value = ""; }
    });
    var privacy = footer.appendChild(el("p", "ww-privacy", TEXT.privacy + " "));
    privacy.appendChild(link(TEXT.privacyLink, config.privacyUrl));

    // Outside the panel, so that a new message is announced even while the chat is closed.
    ui.live = el("div", "ww-sr");
    ui.live.setAttribute("aria-live", "polite");

    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    root.appendChild(ui.live);
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !ui.panel.hidden) { event.preventDefault(); closePanel(); }
    });
    document.body.appendChild(root);
    ui.root = root;
  }

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  // ---- showing messages

  function renderAll() {
    ui.messages.textContent = "";
    state.messages.forEach(function (message, index) {
      ui.messages.appendChild(renderMessage(message, index === state.messages.length - 1));
    });
    scrollDown();
  }

  function renderMessage(message, isLast) {
    var item = el("li", "ww-msg ww-msg-" + message.from);
    item.appendChild(srOnly(message.from === "bot" ? TEXT.bot : TEXT.you));
    if (message.from === "bot") {
      item.appendChild(renderMarkdown(message.text));
    } else {
      item.appendChild(el("p", "ww-text", message.text));  // what the person typed is always plain text
    }
    if (message.pending) { item.appendChild(el("span", "ww-pending", TEXT.waiting)); }
    if (isLast && message.replies && message.replies.length) { item.appendChild(renderReplies(message.replies)); }
    return item;
  }

  function renderReplies(replies) {
    var group = el("div", "ww-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.replies);
    replies.forEach(function (reply) {
      group.appendChild(button("ww-reply", reply.title, function () { send(reply.title, reply.payload); }));
    });
    return group;
  }

  function scrollDown() { ui.messages.scrollTop = ui.messages.scrollHeight; }

  function addMessage(message) {
    state.messages.push(message);
    save();
    renderAll();
  }

  function receive(data) {
    hideTyping();
    var replies = (data.quick_replies || data.buttons || []).filter(function (r) {
      return r && typeof r.title === "string" && typeof r.payload === "string";
    }).map(function (r) { return { title: r.title, payload: r.payload }; });
    var text = typeof data.text === "string" ? data.text : "";
    if (!text && !replies.length) { return; }
    addMessage({ from: "bot", text: text, replies: replies });
    if (ui.panel.hidden) {
      state.unread += 1;
      save();
      showBadge();
      announce(TEXT.unread(state.unread));
    } else {
      announce(TEXT.bot + plainText(text));
    }
  }

  function announce(text) {
    // Replace, not append: screen readers read the new text; old announcements would pile up otherwise.
    ui.live.textContent = "";
    ui.live.appendChild(el("p", "", text));
  }

  function showBadge() {
    ui.badge.hidden = state.unread === 0;
    ui.badge.textContent = "";
    if (state.unread) {
      ui.badge.appendChild(el("span", "", String(state.unread)));
      ui.badge.appendChild(srOnly(" " + TEXT.unread(state.unread).replace(/^\d+ /, "")));
    }
  }

  var typingTimer = null;

  function showTyping() {
    ui.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, 30000);  // never spin forever when no answer comes
    scrollDown();
  }

  function hideTyping() {
    ui.typing.hidden = true;
    clearTimeout(typingTimer);
  }

  // ---- sending, with a queue for when there is no connection

  function send(shown, payload) {
    var message = (payload || shown).slice(0, MAX_LENGTH);
    state.messages.forEach(function (m) { m.replies = []; });  // an answer closes the earlier choices
    var online = connection === "online" && sessionConfirmed;
    addMessage({ from: "user", text: masked(shown), pending: !online });
    if (online) {
      emit(message);
    } else {
      state.queue.push(message);
      save();
    }
    ui.input.focus();
  }

  function emit(message) {
    var data = { message: message, session_id: state.sessionId };
    if (config.gemeente) { data.metadata = { gemeente: config.gemeente }; }
    socket.emit("user_uttered", data);
    showTyping();
  }

  function flushQueue() {
    var queued = state.queue;
    state.queue = [];
    state.messages.forEach(function (m) { m.pending = false; });
    save();
    renderAll();
    queued.forEach(emit);
  }

  // ---- connection

  function setConnection(value) {
    connection = value;
    ui.status.textContent = TEXT[value];
    ui.status.className = "ww-status ww-status-" + value;
  }

  function connect() {
    socket = window.io(config.server, { transports: ["websocket", "polling"], path: "/socket.io" });
    socket.on("connect", function () {
      sessionConfirmed = false;
      // Every new connection joins the conversation's room again (Rasa's session persistence).
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (id) {
      // The server issues the (signed) session id. Another one than we sent means it did not continue our
      // conversation (e.g. the server's secret changed): the transcript no longer matches it, so it starts afresh.
      var token = typeof id === "string" ? id : String(id);
      var renewed = !!state.sessionId && state.sessionId !== token;
      var first = !state.sessionId || renewed;
      if (renewed) {
        state.messages = state.messages.filter(function (m) { return m.pending; });  // still to be sent
        greeted = false;
        announce(TEXT.restarted);
      }
      state.sessionId = token;
      sessionConfirmed = true;
      setConnection("online");
      save();
      if (state.restart) {
        state.restart = false;
        save();
        emit("/restart");
      } else if (first && !ui.panel.hidden) {
        greet();
      }
      flushQueue();
    });
    socket.on("bot_uttered", receive);
    socket.on("disconnect", function () { sessionConfirmed = false; setConnection("offline"); });
    socket.on("connect_error", function () { setConnection("offline"); });
    socket.io.on("reconnect_attempt", function () { if (connection !== "online") { setConnection("connecting"); } });
  }

  function restart() {
    state.messages = [];
    state.queue = [];
    state.unread = 0;
    state.sessionId = null;
    state.restart = true;  // the new conversation starts with /restart, which answers "We beginnen opnieuw"
    save();
    renderAll();
    hideTyping();
    announce(TEXT.restarted);
    // A new connection: the old one is still in the old conversation's room and would get its late answers.
    sessionConfirmed = false;
    setConnection("connecting");
    socket.disconnect();
    socket.connect();
    ui.input.focus();
  }

  // ---- opening and closing

  function openPanel(focus) {
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.root.classList.add("ww-open");
    state.open = true;
    state.unread = 0;
    save();
    showBadge();
    scrollDown();
    if (focus) { ui.input.focus(); }
    if (sessionConfirmed) { greet(); }
  }

  function greet() {
    // The first time the chat opens, the assistant says who it is (Rasa starts no conversation by itself).
    if (greeted || state.messages.length) { return; }
    greeted = true;
    emit("/greet");
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.root.classList.remove("ww-open");
    state.open = false;
    save();
    ui.launcher.focus();
  }

  function toggle() { if (ui.panel.hidden) { openPanel(true); } else { closePanel(); } }

  function toggleLarge() {
    state.large = !state.large;
    ui.root.classList.toggle("ww-large", state.large);
    ui.large.setAttribute("aria-pressed", String(state.large));
    save();
  }

  // ---- start: stylesheet, socket.io client (served by the same app), then the widget

  function loadScript(src, done) {
    if (window.io) { done(); return; }
    var tag = document.createElement("script");
    tag.src = src;
    tag.addEventListener("load", done);
    document.head.appendChild(tag);
  }

  function start() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = BASE + "widget.css";
    document.head.appendChild(css);
    build();
    setConnection("connecting");
    renderAll();
    showBadge();
    if (state.open) { openPanel(false); }
    loadScript(BASE + "vendor/socket.io.min.js", connect);
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
