// lakemap's one script: search-as-you-type, copy buttons, auto-submitting
// selects and the scan progress bar. Every page works without it.
"use strict";
(function () {
  // Copy buttons copy the text of the element their data-copy names.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-copy]");
    if (!b) return;
    var el = document.getElementById(b.getAttribute("data-copy"));
    if (!el) return;
    var done = function () { var t = b.textContent; b.textContent = "Copied"; setTimeout(function () { b.textContent = t; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(el.textContent).then(done, function () { select(el); done(); });
    } else { select(el); done(); }
  });
  function select(el) {
    var r = document.createRange(); r.selectNodeContents(el);
    var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ }
  }

  // Selects marked data-autosubmit submit their form on change.
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("select[data-autosubmit]") && ev.target.value) ev.target.form.submit();
  });

  // Search-as-you-type: fetch /search/suggest and list the hits under the
  // box; arrow keys move through them, Enter opens one, Escape closes.
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-suggest"));
    var timer = null, seq = 0, active = -1;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    function links() { return list.querySelectorAll("a"); }
    function chosen() { return list.hidden ? null : list.querySelector("a[aria-selected=true]"); }
    function close() { mark(-1); list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function mark(i) {
      var ls = links();
      ls.forEach(function (a, j) { a.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (ls[i]) input.setAttribute("aria-activedescendant", ls[i].id);
    }
    function show(hits, q) {
      list.textContent = "";
      list.setAttribute("data-q", q);
      hits.forEach(function (h, i) {
        var li = document.createElement("li"), a = document.createElement("a");
        li.setAttribute("role", "presentation");
        a.href = h.url; a.id = list.id + "-" + i; a.setAttribute("role", "option");
        var k = document.createElement("span"); k.className = "kind"; k.textContent = h.kind + " ";
        var n = document.createElement("strong"); n.textContent = h.name;
        var f = document.createElement("span"); f.className = "fqn"; f.textContent = h.fqn;
        a.append(k, n, f); li.append(a); list.append(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      active = -1;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var mine = ++seq, params = new URLSearchParams({ q: q });
        var form = input.form;
        ["kind", "connection"].forEach(function (n) { if (form && form.elements[n] && form.elements[n].value) params.set(n, form.elements[n].value); });
        fetch("/search/suggest?" + params, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
          .then(function (body) { if (mine === seq) show(body.hits || [], q); })
          .catch(function () { close(); });
      }, 120);
    });
    input.addEventListener("keydown", function (ev) {
      var n = links().length;
      if (ev.key === "ArrowDown" && n) { ev.preventDefault(); mark((active + 1) % n); }
      else if (ev.key === "ArrowUp" && n) { ev.preventDefault(); mark((active - 1 + n) % n); }
      else if (ev.key === "Enter" && chosen()) { ev.preventDefault(); window.location.href = chosen().href; }
      else if (ev.key === "Escape") { close(); }
    });
    // Enter on a chosen suggestion opens it rather than the results page,
    // however the key reached the form.
    if (input.form) input.form.addEventListener("submit", function (ev) {
      if (chosen()) { ev.preventDefault(); window.location.href = chosen().href; }
    });
    document.addEventListener("click", function (ev) { if (!list.contains(ev.target) && ev.target !== input) close(); });
  });

  // The scan progress bar follows the scan's server-sent events: counts
  // per kind, entities written, AWS calls and errors while it runs (the total is not
  // known ahead, so the bar is indeterminate), 100% and the outcome at the
  // end.
  var bar = document.getElementById("scan-progress");
  if (bar && bar.dataset.events && window.EventSource) {
    var status = document.getElementById(bar.dataset.status);
    var es = new EventSource(bar.dataset.events);
    var say = function (d, head) {
      var kinds = Object.keys(d.seen || {}).sort().map(function (k) { return d.seen[k] + " × " + k.replace(/_/g, " "); });
      var text = head + ": " + (kinds.length ? kinds.join(", ") + " seen · " : "") + (d.written || 0) + " written · " +
        (d.calls || 0) + " AWS call" + (d.calls === 1 ? "" : "s") + " · " + (d.errors || 0) + " warning" + (d.errors === 1 ? "" : "s") + " or error" + (d.errors === 1 ? "" : "s") + " · " + Math.round(d.elapsedSeconds || 0) + " s";
      if (d.error) text += " · " + d.error;
      if (status) { status.textContent = text; }
    };
    es.addEventListener("progress", function (ev) {
      try { say(JSON.parse(ev.data), "Running"); } catch (e) { /* a malformed event changes nothing */ }
    });
    es.addEventListener("done", function (ev) {
      es.close();
      bar.value = 100; bar.textContent = "100%";
      var d = {};
      try { d = JSON.parse(ev.data); } catch (e) { /* the bar still ends */ }
      var st = d.status || "ended";
      say(d, st.charAt(0).toUpperCase() + st.slice(1));
      if (status) {
        status.setAttribute("data-outcome", st);
        var a = document.createElement("a");
        a.href = "?connection=" + encodeURIComponent(d.connection || "");
        a.textContent = "See the scan history";
        status.append(" ", a);
      }
    });
    es.onerror = function () { es.close(); if (status && !status.hasAttribute("data-outcome")) status.append(" (progress stream lost: refresh the page)"); };
  }
})();
