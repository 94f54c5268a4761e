"use strict";
// The annotator: one pair at a time, every change one POST that the server commits before it
// answers; the page always redraws from the server's answer, so what is shown is what is saved.
(function () {
  const body = document.body;
  const project = body.dataset.project;
  const annotator = body.dataset.annotator;
  const nPairs = Number(body.dataset.nPairs);
  let current = Number(body.dataset.pair);
  let state = null;
  let cursor = { i: 0, j: 0 };
  let queue = Promise.resolve();
  let overview = [];
  let commentTimer = null;
  let drawn = null;

  const $ = (id) => document.getElementById(id);
  const matrix = $("matrix");
  const lines = $("lines");
  const message = $("message");
  const SURE = "#1d4f91";
  const POSSIBLE = "#a9c8ef";
  const SUGGESTION = "#e08a00";

  function show(text, isError) {
    message.textContent = text;
    message.className = isError ? "error" : "ok";
  }

  function pairUrl(n, path) {
    return `/api/projects/${project}/pairs/${n}${path || ""}`;
  }

  // Changes run one after another, so that answers arrive in the order the clicks were made.
  function post(path, payload) {
    const n = current;
    queue = queue.then(async () => {
      try {
        const answer = await WA.api(pairUrl(n, path), Object.assign({ annotator }, payload));
        if (answer.idx + 1 === current) {
          state = answer;
          render();
        }
        updateOverview(answer);
        show(path === "/undo" && !answer.undone ? "nothing to undo" : "saved", false);
      } catch (err) {
        show(err.message, true);
      }
    });
    return queue;
  }

  async function load(n) {
    n = Math.max(1, Math.min(nPairs, n));
    await flushComment();
    await queue;
    try {
      const answer = await WA.api(`${pairUrl(n)}?annotator=${encodeURIComponent(annotator)}`);
      current = n;
      state = answer;
      cursor = { i: Math.min(cursor.i, state.src.length - 1), j: Math.min(cursor.j, state.tgt.length - 1) };
      const url = new URL(window.location.href);
      url.searchParams.set("pair", String(n));
      history.replaceState(null, "", url);
      render();
      show("", false);
    } catch (err) {
      show(err.message, true);
    }
  }

  function kindAt(i, j) {
    for (const [a, b, kind] of state.links) if (a === i && b === j) return kind;
    return null;
  }

  function setLink(i, j, kind) {
    cursor = { i, j };
    return post("/links", { i, j, kind });
  }

  function cycle(i, j) {
    const next = { null: "S", S: "P", P: null }[String(kindAt(i, j))];
    return setLink(i, j, next);
  }

  function render() {
    if (!state) return;
    $("pair-number").value = String(current);
    $("done").checked = state.done;
    $("discard").checked = state.discard;
    if (document.activeElement !== $("comment")) $("comment").value = state.comment;
    $("accept").hidden = state.suggestions.length === 0;
    const links = WA.linkMap(state.links);
    const suggested = WA.linkMap(state.suggestions);
    drawn = WA.drawMatrix(matrix, state.src, state.tgt, (g, i, j, x, y, size) => {
      const key = `${i},${j}`;
      const kind = links.get(key);
      if (kind === "S") {
        WA.el("rect", { x: x + 3, y: y + 3, width: size - 6, height: size - 6, fill: SURE }, g);
      } else if (kind === "P") {
        WA.el("rect", {
          x: x + 3.5, y: y + 3.5, width: size - 7, height: size - 7,
          fill: POSSIBLE, stroke: SURE, "stroke-dasharray": "3 2",
        }, g);
      }
      if (suggested.has(key)) {
        WA.el("circle", {
          cx: x + size / 2, cy: y + size / 2, r: suggested.get(key) === "S" ? 3.5 : 2.5,
          fill: SUGGESTION, "fill-opacity": kind ? 0.9 : 1,
        }, g);
      }
      if (i === cursor.i && j === cursor.j) {
        WA.el("rect", {
          x: x + 0.5, y: y + 0.5, width: size - 1, height: size - 1,
          fill: "none", stroke: "#d0021b", "stroke-width": 2, class: "cursor",
        }, g);
      }
    }, { click: (i, j) => cycle(i, j), hover: (i, j) => moveCursor(i, j, false) });
    if (drawn.rows[cursor.i]) drawn.rows[cursor.i].setAttribute("font-weight", "bold");
    if (drawn.cols[cursor.j]) drawn.cols[cursor.j].setAttribute("font-weight", "bold");
    WA.drawLines(lines, state.src, state.tgt, [
      { links: state.suggestions, color: SUGGESTION, width: 1, dash: () => "2 3" },
      {
        links: state.links, color: SURE, width: 1.8,
        dash: (kind) => (kind === "P" ? "5 3" : null),
      },
    ]);
  }

  function moveCursor(i, j, redraw) {
    if (!state || !state.src.length || !state.tgt.length) return;
    const next = {
      i: Math.max(0, Math.min(state.src.length - 1, i)),
      j: Math.max(0, Math.min(state.tgt.length - 1, j)),
    };
    if (next.i === cursor.i && next.j === cursor.j) return;
    cursor = next;
    // Only the marker and the two bold labels change: move them without a full redraw.
    const old = matrix.querySelector("rect.cursor");
    if (old) old.remove();
    for (const t of matrix.querySelectorAll("text[font-weight]")) t.removeAttribute("font-weight");
    const cell = matrix.querySelector(`g[data-i="${cursor.i}"][data-j="${cursor.j}"]`);
    if (redraw || !cell) { render(); return; }
    if (drawn.rows[cursor.i]) drawn.rows[cursor.i].setAttribute("font-weight", "bold");
    if (drawn.cols[cursor.j]) drawn.cols[cursor.j].setAttribute("font-weight", "bold");
    const base = cell.querySelector("rect");
    WA.el("rect", {
      x: Number(base.getAttribute("x")) + 0.5, y: Number(base.getAttribute("y")) + 0.5,
      width: 21, height: 21, fill: "none", stroke: "#d0021b", "stroke-width": 2, class: "cursor",
    }, cell);
  }

  async function flushComment() {
    if (commentTimer === null) return;
    clearTimeout(commentTimer);
    commentTimer = null;
    await post("/status", { comment: $("comment").value });
  }

  function updateOverview(answer) {
    overview[answer.idx] = { links: answer.links.length, done: answer.done, discard: answer.discard };
    drawOverview();
  }

  function drawOverview() {
    const box = $("overview");
    while (box.firstChild) box.removeChild(box.firstChild);
    overview.forEach((item, k) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "pair-box" + (item.done ? " done" : item.links ? " started" : "") +
        (item.discard ? " discarded" : "") + (k + 1 === current ? " current" : "");
      b.title = `pair ${k + 1}: ${item.links} links${item.done ? ", done" : ""}${item.discard ? ", discarded" : ""}`;
      b.textContent = String(k + 1);
      b.addEventListener("click", () => load(k + 1).then(drawOverview));
      box.appendChild(b);
    });
  }

  async function loadOverview() {
    try {
      overview = await WA.api(`/api/projects/${project}/overview?annotator=${encodeURIComponent(annotator)}`);
      drawOverview();
    } catch (err) {
      show(err.message, true);
    }
  }

  const go = (n) => load(n).then(drawOverview);
  $("prev").addEventListener("click", () => go(current - 1));
  $("next").addEventListener("click", () => go(current + 1));
  $("next-open").addEventListener("click", () => {
    for (let k = 1; k <= nPairs; k++) {
      const n = ((current - 1 + k) % nPairs) + 1;
      if (overview[n - 1] && !overview[n - 1].done && !overview[n - 1].discard) return go(n);
    }
    show("every pair is done or discarded", false);
    return null;
  });
  $("pair-number").addEventListener("change", (e) => go(Number(e.target.value) || 1));
  $("undo").addEventListener("click", () => post("/undo", {}));
  $("accept").addEventListener("click", () => post("/accept-suggestions", {}));
  $("done").addEventListener("change", (e) => post("/status", { done: e.target.checked }));
  $("discard").addEventListener("change", (e) => post("/status", { discard: e.target.checked }));
  $("comment").addEventListener("input", () => {
    clearTimeout(commentTimer);
    commentTimer = setTimeout(() => { commentTimer = null; post("/status", { comment: $("comment").value }); }, 400);
  });
  $("comment").addEventListener("blur", flushComment);
  window.addEventListener("pagehide", () => {
    // A comment typed just before the tab closes still reaches the server.
    if (commentTimer === null) return;
    fetch(pairUrl(current, "/status"), {
      method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ annotator, comment: $("comment").value }),
    });
  });
  const pictureName = () => `pair-${current}`;
  $("export-svg").addEventListener("click", () => WA.exportSVG([matrix, lines], pictureName()));
  $("export-png").addEventListener("click", () => WA.exportPNG([matrix, lines], pictureName()));

  document.addEventListener("keydown", (e) => {
    // Keys belong to the page unless the user is typing (a checkbox or a button is not typing).
    const tag = (e.target.tagName || "").toLowerCase();
    const typing = tag === "textarea" || tag === "select" ||
      (tag === "input" && !["checkbox", "radio", "button", "submit"].includes(e.target.type));
    if (typing || !state) return;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "z") { e.preventDefault(); post("/undo", {}); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const handled = {
      s: () => setLink(cursor.i, cursor.j, "S"),
      p: () => setLink(cursor.i, cursor.j, "P"),
      x: () => setLink(cursor.i, cursor.j, null),
      Delete: () => setLink(cursor.i, cursor.j, null),
      Backspace: () => setLink(cursor.i, cursor.j, null),
      u: () => post("/undo", {}),
      d: () => post("/status", { done: !state.done }),
      n: () => go(current + 1),
      b: () => go(current - 1),
      ArrowRight: () => (e.shiftKey ? moveCursor(cursor.i, cursor.j + 1, false) : go(current + 1)),
      ArrowLeft: () => (e.shiftKey ? moveCursor(cursor.i, cursor.j - 1, false) : go(current - 1)),
      ArrowDown: () => moveCursor(cursor.i + 1, cursor.j, false),
      ArrowUp: () => moveCursor(cursor.i - 1, cursor.j, false),
    }[e.key];
    if (handled) { e.preventDefault(); handled(); }
  });

  load(current).then(loadOverview);
})();
