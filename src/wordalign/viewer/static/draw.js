"use strict";
// Drawing shared by the annotator and the viewer: a link matrix and a line view, both SVG built
// with createElementNS and textContent (sentence text never becomes markup), plus SVG/PNG export.
// Every colour and font is an attribute, not CSS, so that an exported SVG looks like the page.
(function () {
  const NS = "http://www.w3.org/2000/svg";
  const FONT_SIZE = 13;
  const FONT_FAMILY = "DejaVu Sans, Arial, sans-serif";
  const CELL = 22;
  let measureCtx = null;

  function textWidth(text) {
    if (measureCtx === null) {
      measureCtx = document.createElement("canvas").getContext("2d");
      measureCtx.font = `${FONT_SIZE}px ${FONT_FAMILY}`;
    }
    return measureCtx.measureText(text).width;
  }

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (parent) parent.appendChild(node);
    return node;
  }

  function label(parent, x, y, text, attrs) {
    const node = el("text", Object.assign({
      x, y, "font-family": FONT_FAMILY, "font-size": FONT_SIZE, fill: "#222",
    }, attrs || {}), parent);
    node.textContent = text;
    return node;
  }

  function reset(svg, width, height) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    el("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }, svg);
  }

  // Rows are source tokens, columns target tokens. paint(group, i, j, x, y, size) draws one
  // cell's marks; handlers.click(i, j, event) and handlers.hover(i, j) are optional.
  function drawMatrix(svg, src, tgt, paint, handlers) {
    const numWidth = textWidth(String(Math.max(src.length, tgt.length))) + 8;
    // Bold labels (the cursor's row and column) are about 10% wider than measured.
    const left = Math.ceil(Math.max(30, ...src.map(textWidth)) * 1.12 + numWidth + 12);
    const top = Math.ceil(Math.max(30, ...tgt.map(textWidth)) * 1.12 + numWidth + 12);
    const width = left + tgt.length * CELL + 12;
    const height = top + src.length * CELL + 12;
    reset(svg, width, height);
    const rows = [];
    const cols = [];
    src.forEach((token, i) => {
      const y = top + i * CELL + CELL / 2 + FONT_SIZE / 2 - 2;
      rows.push(label(svg, left - numWidth - 4, y, token, { "text-anchor": "end" }));
      label(svg, left - 4, y, String(i), { "text-anchor": "end", fill: "#999", "font-size": 10 });
    });
    tgt.forEach((token, j) => {
      const x = left + j * CELL + CELL / 2 + FONT_SIZE / 2 - 2;
      const yNum = top - 4;
      label(svg, x, yNum, String(j), {
        fill: "#999", "font-size": 10, transform: `rotate(-90 ${x} ${yNum})`,
      });
      const y = top - numWidth - 4;
      cols.push(label(svg, x, y, token, { transform: `rotate(-90 ${x} ${y})` }));
    });
    const grid = el("g", {}, svg);
    for (let i = 0; i < src.length; i++) {
      for (let j = 0; j < tgt.length; j++) {
        const x = left + j * CELL;
        const y = top + i * CELL;
        const cell = el("g", { "data-i": i, "data-j": j }, grid);
        el("rect", {
          x, y, width: CELL, height: CELL, fill: "#ffffff", stroke: "#dddddd", "stroke-width": 1,
        }, cell);
        paint(cell, i, j, x, y, CELL);
      }
    }
    const find = (event) => {
      const cell = event.target.closest && event.target.closest("g[data-i]");
      return cell ? [Number(cell.getAttribute("data-i")), Number(cell.getAttribute("data-j"))] : null;
    };
    if (handlers && handlers.click) {
      svg.onclick = (event) => { const at = find(event); if (at) handlers.click(at[0], at[1], event); };
    }
    if (handlers && handlers.hover) {
      svg.onmouseover = (event) => { const at = find(event); if (at) handlers.hover(at[0], at[1]); };
    }
    return { rows, cols, left, top, cell: CELL };
  }

  // layers: [{links: [[i, j, kind]], color, width, dash(kind, link), opacity}], drawn in order.
  function drawLines(svg, src, tgt, layers) {
    const GAP = 14;
    const PAD = 12;
    const place = (tokens) => {
      let x = PAD;
      return tokens.map((token) => {
        const w = textWidth(token);
        const centre = x + w / 2;
        x += w + GAP;
        return { x: centre, end: x };
      });
    };
    const srcPos = place(src);
    const tgtPos = place(tgt);
    const lastEnd = (pos) => (pos.length ? pos[pos.length - 1].end : PAD);
    const width = Math.ceil(Math.max(lastEnd(srcPos), lastEnd(tgtPos), 60) + PAD);
    const height = 150;
    reset(svg, width, height);
    const lines = el("g", {}, svg);
    for (const layer of layers) {
      for (const link of layer.links) {
        const [i, j, kind] = link;
        if (i >= srcPos.length || j >= tgtPos.length) continue;
        const attrs = {
          x1: srcPos[i].x, y1: 30, x2: tgtPos[j].x, y2: height - 30,
          stroke: layer.color, "stroke-width": layer.width || 1.5,
          "stroke-opacity": layer.opacity === undefined ? 1 : layer.opacity,
        };
        const dash = layer.dash ? layer.dash(kind, link) : null;
        if (dash) attrs["stroke-dasharray"] = dash;
        el("line", attrs, lines);
      }
    }
    src.forEach((token, i) => label(svg, srcPos[i].x, 20, token, { "text-anchor": "middle" }));
    tgt.forEach((token, j) => label(svg, tgtPos[j].x, height - 12, token, { "text-anchor": "middle" }));
  }

  function combined(svgs) {
    const out = document.createElementNS(NS, "svg");
    out.setAttribute("xmlns", NS);
    let y = 0;
    let width = 0;
    const body = el("g", {}, null);
    for (const svg of svgs) {
      const h = Number(svg.getAttribute("height") || 0);
      const w = Number(svg.getAttribute("width") || 0);
      if (!h || !w) continue;
      const group = el("g", { transform: `translate(0 ${y})` }, body);
      for (const child of svg.childNodes) group.appendChild(child.cloneNode(true));
      y += h + 10;
      width = Math.max(width, w);
    }
    const height = Math.max(1, y - 10);
    width = Math.max(1, width);
    out.setAttribute("width", width);
    out.setAttribute("height", height);
    out.setAttribute("viewBox", `0 0 ${width} ${height}`);
    el("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }, out);
    out.appendChild(body);
    return out;
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function svgText(svgs) {
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(combined(svgs));
  }

  function exportSVG(svgs, filename) {
    download(new Blob([svgText(svgs)], { type: "image/svg+xml" }), `${filename}.svg`);
  }

  function exportPNG(svgs, filename) {
    const picture = combined(svgs);
    const width = Number(picture.getAttribute("width"));
    const height = Number(picture.getAttribute("height"));
    const url = URL.createObjectURL(new Blob([svgText(svgs)], { type: "image/svg+xml" }));
    const image = new Image();
    image.onload = () => {
      const scale = 2; // sharp enough for a paper figure
      const canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.scale(scale, scale);
      ctx.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => download(blob, `${filename}.png`), "image/png");
    };
    image.src = url;
  }

  async function api(url, payload) {
    const options = payload === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    };
    const response = await fetch(url, options);
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      throw new Error(`the server answered ${response.status} without data`);
    }
    if (!response.ok) throw new Error((data && data.error) || `the server answered ${response.status}`);
    return data;
  }

  function linkMap(links) {
    const map = new Map();
    for (const [i, j, kind] of links) map.set(`${i},${j}`, kind);
    return map;
  }

  window.WA = { el, label, drawMatrix, drawLines, exportSVG, exportPNG, svgText, api, linkMap, textWidth };
})();
