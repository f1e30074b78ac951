// Hover text for the pageblock maps, as the source of an inline <script>: which PFNs a cell covers and what its
// pages hold. The counts come from the SVG's data-cells (pageblock-map.ts), so the cells themselves stay bare
// <use> elements (a <title> per cell would triple the file on a 16 GiB machine). Plain ES2017, no imports.
export const MAP_TOOLTIP_SCRIPT = `
(() => {
  const names = ["Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"];
  const tip = document.createElement("div");
  tip.className = "pbtip";
  tip.hidden = true;
  document.body.appendChild(tip);
  for (const svg of document.querySelectorAll("svg.pbmap")) {
    const d = svg.dataset, cells = (d.cells || "").split(";");
    const perRow = +d.perRow, pitch = +d.pitch, x0 = +d.x0, y0 = +d.y0, group = +d.group;
    svg.addEventListener("mousemove", (e) => {
      const box = svg.getBoundingClientRect(), scale = svg.viewBox.baseVal.width / box.width;
      const col = Math.floor(((e.clientX - box.left) * scale - x0) / pitch);
      const row = Math.floor(((e.clientY - box.top) * scale - y0) / pitch);
      const i = row * perRow + col, rec = col >= 0 && col < perRow && row >= 0 ? cells[i] : undefined;
      if (rec === undefined) { tip.hidden = true; return; }
      const [mt, free, wb, temp, spliced, unmov, mov, dirty] = rec.split(",").map((v) => +v || 0);
      const first = i * group * 512, last = first + group * 512 - 1;
      tip.textContent = "pfn 0x" + first.toString(16) + "-0x" + last.toString(16) +
        (group > 1 ? " (" + group + " pageblocks, mostly " : " (") + names[mt] + ")\\n" +
        "free " + free + ", movable " + mov + ", unmovable " + unmov + ", dirty " + dirty + "\\n" +
        "under writeback " + wb + ", temp " + temp + ", spliced " + spliced + " (pages)";
      tip.hidden = false;
      tip.style.left = e.clientX + 14 + "px";
      tip.style.top = e.clientY + 14 + "px";
    });
    svg.addEventListener("mouseleave", () => { tip.hidden = true; });
  }
})();
`;
