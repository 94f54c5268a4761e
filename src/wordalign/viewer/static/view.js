"use strict";
// The viewer: systems overlaid on a gold standard, per-sentence P/R/AER, sorting and filtering.
(function () {
  const $ = (id) => document.getElementById(id);
  const PALETTE = ["#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"];
  const matrix = $("matrix");
  const lines = $("lines");
  let data = null;
  let order = [];
  let position = 0;
  const visible = new Set();

  function show(text, isError) {
    $("message").textContent = text;
    $("message").className = isError ? "error" : "ok";
  }

  const fmt = (x) => (x === undefined || x === null ? "" : x.toFixed(2));

  function sortKeys() {
    const keys = [{ value: "index", text: "by position" }];
    for (const system of data.systems) {
      if (!data.scores[system.name]) continue;
      keys.push({ value: `worst:${system.name}`, text: `AER of ${system.name}, worst first` });
      keys.push({ value: `best:${system.name}`, text: `AER of ${system.name}, best first` });
    }
    return keys;
  }

  function scoreSystem() {
    const value = $("sort").value;
    if (value.includes(":")) return value.slice(value.indexOf(":") + 1);
    const first = data.systems.find((s) => data.scores[s.name]);
    return first ? first.name : null;
  }

  function recompute() {
    const value = $("sort").value;
    const system = scoreSystem();
    const low = Number($("aer-min").value || 0);
    const high = Number($("aer-max").value === "" ? 1 : $("aer-max").value);
    order = data.pairs.map((_, k) => k);
    if (system) {
      const aer = data.scores[system];
      order = order.filter((k) => aer[k].aer >= low - 1e-9 && aer[k].aer <= high + 1e-9);
      if (value.startsWith("worst:")) order.sort((a, b) => aer[b].aer - aer[a].aer || a - b);
      if (value.startsWith("best:")) order.sort((a, b) => aer[a].aer - aer[b].aer || a - b);
    }
    $("count").textContent = `${order.length} of ${data.pairs.length} pairs` + (system ? ` (AER of ${system})` : "");
    position = Math.min(position, Math.max(0, order.length - 1));
    drawTable();
    drawPair();
  }

  function drawTable() {
    const head = $("sentences").tHead;
    const bodyEl = $("sentences").tBodies[0];
    head.replaceChildren();
    bodyEl.replaceChildren();
    const hr = head.insertRow();
    const scored = data.systems.filter((s) => data.scores[s.name]);
    for (const text of ["#", "source", ...scored.map((s) => `AER ${s.name}`)]) {
      const th = document.createElement("th");
      th.textContent = text;
      hr.appendChild(th);
    }
    order.forEach((k, pos) => {
      const row = bodyEl.insertRow();
      row.className = pos === position ? "selected" : "";
      row.dataset.pos = String(pos);
      row.insertCell().textContent = String(k + 1);
      const src = data.pairs[k].src.join(" ");
      const srcCell = row.insertCell();
      srcCell.className = "sentence";
      srcCell.title = src;
      srcCell.textContent = src.length > 32 ? `${src.slice(0, 32)}…` : src;
      for (const s of scored) {
        const cell = row.insertCell();
        cell.className = "num";
        cell.textContent = fmt(data.scores[s.name][k].aer);
      }
      row.addEventListener("click", () => { position = pos; drawTable(); drawPair(); });
    });
  }

  function drawPair() {
    if (!order.length) {
      $("pair-label").textContent = "no pair matches";
      matrix.replaceChildren();
      lines.replaceChildren();
      matrix.setAttribute("width", 0);
      lines.setAttribute("width", 0);
      return;
    }
    const k = order[position];
    const pair = data.pairs[k];
    $("pair-label").textContent = `pair ${k + 1} of ${data.pairs.length}`;
    const gold = data.gold ? WA.linkMap(data.gold[k]) : null;
    const shown = data.systems
      .map((s, n) => ({ name: s.name, color: PALETTE[n % PALETTE.length], links: s.links[k], map: WA.linkMap(s.links[k]) }))
      .filter((s) => visible.has(s.name));

    const scores = $("pair-scores");
    scores.replaceChildren();
    if (gold) {
      const head = scores.insertRow();
      for (const t of ["system", "P", "R", "AER"]) head.insertCell().textContent = t;
      for (const s of shown) {
        const sc = data.scores[s.name][k];
        const row = scores.insertRow();
        row.insertCell().textContent = s.name;
        for (const v of [sc.p, sc.r, sc.aer]) {
          const c = row.insertCell();
          c.className = "num";
          c.textContent = fmt(v);
        }
      }
    }

    WA.drawMatrix(matrix, pair.src, pair.tgt, (g, i, j, x, y, size) => {
      const key = `${i},${j}`;
      const goldKind = gold ? gold.get(key) : undefined;
      const n = shown.length;
      shown.forEach((s, m) => {
        const w = (size - 6) / Math.max(1, n);
        const sx = x + 3 + m * w;
        const kind = s.map.get(key);
        if (kind) {
          const hit = !gold || goldKind !== undefined;
          WA.el("rect", { x: sx, y: y + 3, width: w, height: size - 6, fill: s.color, "fill-opacity": hit ? 1 : 0.35 }, g);
          if (!hit) {
            WA.el("line", { x1: sx, y1: y + size - 3, x2: sx + w, y2: y + 3, stroke: "#b00020", "stroke-width": 1.5 }, g);
          }
        } else if (goldKind === "S") {
          WA.el("rect", {
            x: sx + 1, y: y + 4, width: Math.max(1, w - 2), height: size - 8,
            fill: "#ffffff", stroke: s.color, "stroke-dasharray": "2 2",
          }, g);
        }
      });
      if (goldKind) {
        const attrs = { x: x + 1.5, y: y + 1.5, width: size - 3, height: size - 3, fill: "none", stroke: "#000000", "stroke-width": 2 };
        if (goldKind === "P") attrs["stroke-dasharray"] = "3 2";
        WA.el("rect", attrs, g);
      }
    });
    const layers = [];
    if (gold) {
      layers.push({
        links: data.gold[k], color: "#999999", width: 5, opacity: 0.45,
        dash: (kind) => (kind === "P" ? "6 4" : null),
      });
    }
    for (const s of shown) {
      layers.push({
        links: s.links, color: s.color, width: 1.6,
        dash: (kind, link) => (gold && !gold.has(`${link[0]},${link[1]}`) ? "4 3" : null),
      });
    }
    WA.drawLines(lines, pair.src, pair.tgt, layers);
  }

  function drawSystems() {
    const box = $("systems");
    box.replaceChildren();
    data.systems.forEach((s, n) => {
      const labelEl = document.createElement("label");
      const box2 = document.createElement("input");
      box2.type = "checkbox";
      box2.checked = visible.has(s.name);
      box2.addEventListener("change", () => {
        if (box2.checked) visible.add(s.name); else visible.delete(s.name);
        drawPair();
      });
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = PALETTE[n % PALETTE.length];
      labelEl.append(box2, swatch, document.createTextNode(s.name));
      box.appendChild(labelEl);
    });
    const legend = $("gold-legend");
    legend.textContent = data.gold
      ? `${data.gold_name}: black frame = Sure, dashed frame = Possible. Systems: solid = hit, pale and struck through = false link, dashed outline = missed Sure link.`
      : "No gold standard loaded: the systems' links only.";
  }

  async function start() {
    try {
      data = await WA.api(document.body.dataset.url);
    } catch (err) {
      show(err.message, true);
      return;
    }
    data.systems.forEach((s) => visible.add(s.name));
    const sort = $("sort");
    for (const key of sortKeys()) {
      const option = document.createElement("option");
      option.value = key.value;
      option.textContent = key.text;
      sort.appendChild(option);
    }
    for (const id of ["sort", "aer-min", "aer-max"]) $(id).addEventListener("change", recompute);
    $("prev").addEventListener("click", () => { position = Math.max(0, position - 1); drawTable(); drawPair(); });
    $("next").addEventListener("click", () => { position = Math.min(order.length - 1, position + 1); drawTable(); drawPair(); });
    document.addEventListener("keydown", (e) => {
      const tag = (e.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select") return;
      if (e.key === "ArrowRight" || e.key === "n") $("next").click();
      if (e.key === "ArrowLeft" || e.key === "b") $("prev").click();
    });
    const name = () => `pair-${order.length ? order[position] + 1 : 0}`;
    $("export-svg").addEventListener("click", () => WA.exportSVG([matrix, lines], name()));
    $("export-png").addEventListener("click", () => WA.exportPNG([matrix, lines], name()));
    drawSystems();
    recompute();
  }

  start();
})();
