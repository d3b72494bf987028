// A bar chart drawn as SVG from [{label, value}] (no chart library: the console loads nothing from elsewhere).
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 64, right: 8, top: 12, bottom: 36 };

function node(tag, attributes, text = "") {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  if (text) el.textContent = text;
  return el;
}

export function barChart(points, { title, format }) {
  const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "bar-chart" });
  svg.append(node("title", {}, title));
  const max = Math.max(1, ...points.map((p) => p.value));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  svg.append(node("line", { x1: PAD.left, y1: PAD.top + plotH, x2: WIDTH - PAD.right, y2: PAD.top + plotH, class: "axis" }));
  svg.append(node("text", { x: PAD.left - 6, y: PAD.top + 10, "text-anchor": "end", class: "tick" }, format(max)));
  svg.append(node("text", { x: PAD.left - 6, y: PAD.top + plotH, "text-anchor": "end", class: "tick" }, "0"));
  const step = points.length ? plotW / points.length : plotW;
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((point, i) => {
    const h = (point.value / max) * plotH;
    const bar = node("rect", {
      x: PAD.left + i * step + step * 0.1, y: PAD.top + plotH - h, width: Math.max(1, step * 0.8), height: h, class: "bar",
    });
    bar.append(node("title", {}, `${point.label}: ${format(point.value)}`));
    svg.append(bar);
    if (i % labelEvery === 0) {
      svg.append(node("text", { x: PAD.left + i * step + step / 2, y: HEIGHT - 14, "text-anchor": "middle", class: "tick" }, point.label));
    }
  });
  return svg;
}
