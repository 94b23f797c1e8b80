// A stand-in for socket.io-client, for tests of the widget alone: records what the widget emits and lets the
// test play the server (window.__server.say / drop / restore / forget).
(function () {
  var sent = [];
  var handlers = {};
  var manager = {};
  var forget = false;  // the next session_request gets a new id, as when the server no longer accepts the old one
  var socket = {
    io: { on: function (name, fn) { manager[name] = fn; } },
    on: function (name, fn) { handlers[name] = fn; },
    emit: function (name, data) {
      sent.push({ event: name, data: data });
      if (name === "session_request") {
        var id = (!forget && data.session_id) || "sessie-" + Math.random().toString(36).slice(2, 10);
        forget = false;
        setTimeout(function () { handlers.session_confirm(id); }, 0);
      }
    },
    disconnect: function () { if (handlers.disconnect) { handlers.disconnect("io client disconnect"); } },
    connect: function () { setTimeout(function () { handlers.connect(); }, 0); }
  };
  window.__server = {
    sent: sent,
    say: function (message) { handlers.bot_uttered(message); },
    drop: function () { handlers.disconnect("transport close"); },
    restore: function () { if (manager.reconnect_attempt) { manager.reconnect_attempt(1); } handlers.connect(); },
    forget: function () { forget = true; }
  };
  window.io = function () { socket.connect(); return socket; };
})();
