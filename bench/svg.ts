// A small log-log line chart as SVG, written by hand (no charting dependency).

export interface Series {
    readonly name: string;
    readonly color: string;
    readonly dashed?: boolean;
    /** [x, y] with x, y > 0. */
    readonly points: [number, number][];
    /** Per point: true when y is only a lower bound (drawn hollow). */
    readonly lowerBounds?: boolean[];
}

export interface Panel {
    readonly title: string;
    readonly xLabel: string;
    readonly yLabel: string;
    readonly series: Series[];
    /** Format a y tick value. */
    readonly yTick?: (v: number) => string;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();

function decades(min: number, max: number): number[] {
    const lo = Math.floor(Math.log10(min));
    const hi = Math.ceil(Math.log10(max));
    return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

function defaultTick(v: number): string {
    if (v >= 1000) {
        return `${v / 1000}k`;
    }
    return v >= 1 ? String(v) : String(Number(v.toPrecision(1)));
}

/** One panel at (x0, y0) of size w × h. */
function panel(p: Panel, x0: number, y0: number, w: number, h: number): string {
    const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
    if (pts.length === 0) {
        return `<text x="${x0 + w / 2}" y="${y0 + h / 2}" text-anchor="middle">${esc(p.title)}: no data</text>`;
    }
    const xs = decades(Math.min(...pts.map((q) => q[0])), Math.max(...pts.map((q) => q[0])));
    const ys = decades(Math.min(...pts.map((q) => q[1])), Math.max(...pts.map((q) => q[1])));
    const left = x0 + 62,
        right = x0 + w - 12,
        top = y0 + 34,
        bottom = y0 + h - 78;
    const lx = (v: number) => Math.log10(v);
    const sx = (v: number) => left + ((lx(v) - lx(xs[0])) / (lx(xs[xs.length - 1]) - lx(xs[0]) || 1)) * (right - left);
    const sy = (v: number) => bottom - ((lx(v) - lx(ys[0])) / (lx(ys[ys.length - 1]) - lx(ys[0]) || 1)) * (bottom - top);
    const tick = p.yTick ?? defaultTick;
    const out: string[] = [];
    out.push(`<text x="${x0 + w / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
    for (const x of xs) {
        out.push(`<line x1="${fmt(sx(x))}" y1="${top}" x2="${fmt(sx(x))}" y2="${bottom}" stroke="#ddd"/>`);
        out.push(`<text x="${fmt(sx(x))}" y="${bottom + 16}" text-anchor="middle">${defaultTick(x)}</text>`);
    }
    for (const y of ys) {
        out.push(`<line x1="${left}" y1="${fmt(sy(y))}" x2="${right}" y2="${fmt(sy(y))}" stroke="#ddd"/>`);
        out.push(`<text x="${left - 6}" y="${fmt(sy(y) + 4)}" text-anchor="end">${esc(tick(y))}</text>`);
    }
    out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#888"/>`);
    out.push(`<text x="${(left + right) / 2}" y="${bottom + 34}" text-anchor="middle">${esc(p.xLabel)}</text>`);
    out.push(`<text transform="translate(${x0 + 14} ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
    p.series.forEach((s, i) => {
        const good = s.points
            .map((pt, j) => ({ pt, low: s.lowerBounds?.[j] ?? false }))
            .filter(({ pt: [x, y] }) => x > 0 && y > 0 && Number.isFinite(y));
        if (good.length > 0) {
            const d = good.map(({ pt: [x, y] }, j) => `${j === 0 ? "M" : "L"}${fmt(sx(x))},${fmt(sy(y))}`).join(" ");
            out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
            for (const {
                pt: [x, y],
                low,
            } of good) {
                out.push(
                    low
                        ? `<circle cx="${fmt(sx(x))}" cy="${fmt(sy(y))}" r="4" fill="white" stroke="${s.color}" stroke-width="2"/>`
                        : `<circle cx="${fmt(sx(x))}" cy="${fmt(sy(y))}" r="3" fill="${s.color}"/>`,
                );
            }
        }
        const ly = bottom + 50 + Math.floor(i / 2) * 14;
        const lxPos = left + (i % 2) * ((right - left) / 2);
        out.push(
            `<line x1="${lxPos}" y1="${ly - 4}" x2="${lxPos + 22}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
        );
        out.push(`<text x="${lxPos + 28}" y="${ly}">${esc(s.name)}</text>`);
    });
    return out.join("\n");
}

/** Panels side by side, with a caption line at the bottom. */
export function chart(panels: Panel[], caption: string, panelWidth = 460, panelHeight = 380): string {
    const w = panels.length * panelWidth;
    const h = panelHeight + 22;
    return [
        `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="11">`,
        `<rect width="${w}" height="${h}" fill="white"/>`,
        ...panels.map((p, i) => panel(p, i * panelWidth, 0, panelWidth, panelHeight)),
        `<text x="${w / 2}" y="${h - 8}" text-anchor="middle" fill="#555">${esc(caption)}</text>`,
        "</svg>",
        "",
    ].join("\n");
}
