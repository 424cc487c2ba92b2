//! review.html: one self-contained page for the meeting room and the printer (no script, no
//! network, no fonts to fetch). The layout's tables (the tree indented by level), plus inline
//! SVG charts (the layer waterfall, forecast against target per region, the biggest movers),
//! and a print style sheet (A4 landscape, a page per period). Every text from the pack is
//! HTML-escaped. Chart coordinates are integer arithmetic on the printed money units: no
//! floating point anywhere.

use super::{percent, Block, Chart, Doc, Fmt, Table};
use crate::model::NodeIx;
use crate::review::Review;
use std::fmt::Write as _;

/// Text safe inside HTML elements and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "&#x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Latin text in the system's UI face; Chinese in the first of the fonts that Windows
/// (Microsoft YaHei), macOS (PingFang SC, Hiragino Sans GB) and Linux (Noto Sans CJK SC, Source
/// Han Sans SC, WenQuanYi Micro Hei) ship, named before any generic family: `system-ui` and
/// `sans-serif` can resolve to a Japanese CJK face, whose 汉字 differ. Numbers in columns use
/// tabular figures, and a monospace face where the text face has none.
/// For print: A4 landscape, each period (and the history) on a page of its own, no row split
/// over two pages, headers repeated, no background fills, and nothing folded away.
const STYLE: &str = r#"
:root { --up: #2e7d32; --down: #c62828; --total: #37474f; --target: #90a4ae; --line: #e0e0e0;
  --text: -apple-system, BlinkMacSystemFont, "Segoe UI", "Microsoft YaHei", "PingFang SC",
    "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
    "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif;
  --numbers: ui-monospace, "Cascadia Mono", Consolas, "SF Mono", Menlo, "DejaVu Sans Mono",
    "Noto Sans Mono", "Liberation Mono", monospace; }
body { font-family: var(--text); margin: 2em auto; max-width: 1200px; padding: 0 1em;
  color: #212121; background: #fff; line-height: 1.4; }
h1 { font-size: 1.7em; } h2 { border-bottom: 2px solid var(--total); padding-bottom: .2em; margin-top: 2em; }
h3 { margin-top: 1.6em; } h4 { margin: 1.2em 0 .4em; }
table { border-collapse: collapse; margin: .4em 0 1em; font-size: .92em; }
th, td { border-bottom: 1px solid var(--line); padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.n { font-family: var(--numbers); font-variant-numeric: tabular-nums; font-size: .95em; }
svg { display: block; margin: .5em 0 1em; max-width: 100%; height: auto; font-size: 12px; }
svg text { fill: #212121; font-variant-numeric: tabular-nums; }
.bar.up { fill: var(--up); } .bar.down { fill: var(--down); }
.bar.total, .bar.forecast { fill: var(--total); } .bar.target { fill: var(--target); }
table.tree td:first-child { padding-left: calc(.6em + var(--d, 0) * 1.4em); white-space: nowrap; }
table.tree tr.d0, table.tree tr.d1 { font-weight: 600; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  html, body { background: #fff; color: #000; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  section + section { break-before: page; }
  h2 { margin-top: 0; }
  h2, h3, h4 { break-after: avoid; }
  tr, svg, p { break-inside: avoid; }
  svg.waterfall { height: 70mm; width: auto; }
  thead { display: table-header-group; }
  th { background: none; border-bottom: 1.5px solid #000; }
  td { border-bottom-color: #bdbdbd; }
  svg text { fill: #000; }
}
"#;

/// Renders the page.
pub fn render(review: &Review, doc: &Doc, zh: bool) -> String {
    let f = Fmt { scale: review.scale(), zh };
    let mut out = String::new();
    let lang = if zh { "zh-CN" } else { "en" };
    let _ =
        writeln!(out, "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let periods: Vec<&str> = review.pack.periods.iter().map(|p| p.period.as_str()).collect();
    let _ = writeln!(
        out,
        "<title>{} {}</title>",
        f.tr("Forecast review", "预测扒皮会"),
        esc(&periods.join(", "))
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    // Each period (and the history) is a <section>: in print, each starts a page.
    let mut section = false;
    for block in &doc.blocks {
        match block {
            Block::Title(t) => {
                let _ = writeln!(out, "<h1>{}</h1>", esc(t));
            }
            Block::Section(t) => {
                if section {
                    out.push_str("</section>\n");
                }
                section = true;
                let _ = writeln!(out, "<section>\n<h2>{}</h2>", esc(t));
            }
            Block::Part(t) => {
                let _ = writeln!(out, "<h3>{}</h3>", esc(t));
            }
            Block::Minor(t) => {
                let _ = writeln!(out, "<h4>{}</h4>", esc(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "<p>{}</p>", esc(t));
            }
            Block::Table(t) => table(&mut out, t),
            Block::Chart(c) => match *c {
                Chart::Waterfall(k) => waterfall(&mut out, review, &f, k),
                Chart::Targets(k) => targets(&mut out, review, &f, k),
                Chart::Movers(k) => movers(&mut out, review, &f, k),
            },
        }
    }
    if section {
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn table(out: &mut String, t: &Table) {
    out.push_str(if t.indent.is_empty() { "<table>" } else { "<table class=\"tree\">" });
    out.push_str("\n<thead><tr>");
    for (h, &right) in t.header.iter().zip(&t.right) {
        let _ = write!(out, "<th{}>{}</th>", if right { " class=\"n\"" } else { "" }, esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (k, row) in t.rows.iter().enumerate() {
        match t.indent.get(k) {
            Some(d) => {
                let _ = write!(out, "<tr class=\"d{d}\" style=\"--d:{d}\">");
            }
            None => out.push_str("<tr>"),
        }
        for (c, &right) in row.iter().zip(&t.right) {
            let _ = write!(out, "<td{}>{}</td>", if right { " class=\"n\"" } else { "" }, esc(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Maps money units onto pixels `[0, span]` over the range `[lo, hi]`, in integers.
struct Axis {
    lo: i128,
    hi: i128,
    span: i128,
}

impl Axis {
    fn new(values: impl IntoIterator<Item = i128>, span: i128) -> Axis {
        let (mut lo, mut hi) = (0i128, 0i128);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi == lo {
            hi = lo + 1;
        }
        Axis { lo, hi, span }
    }

    /// Pixels from the low end.
    fn at(&self, v: i128) -> i128 {
        (v - self.lo).saturating_mul(self.span) / (self.hi - self.lo)
    }
}

/// A bar from `a` to `b` (pixels), at least 1 pixel long so that a zero change still shows.
fn extent(a: i128, b: i128) -> (i128, i128) {
    (a.min(b), (a - b).abs().max(1))
}

fn waterfall(out: &mut String, review: &Review, f: &Fmt, k: usize) {
    let w = &review.periods[k].waterfall;
    // (label, from, to, class)
    let mut bars: Vec<(String, i128, i128, &str)> =
        vec![(f.tr("Raw", "原始预测").into(), 0, w.raw, "total")];
    for s in &w.steps {
        let class = if s.change < 0 { "down" } else { "up" };
        bars.push((
            format!("{} → {}", f.level(&s.given_by), f.level(&s.on)),
            s.before,
            s.after,
            class,
        ));
    }
    bars.push((f.tr("National forecast", "全国预测").into(), 0, w.forecast, "total"));
    if let Some(t) = w.target {
        bars.push((f.tr("Target", "目标").into(), 0, t, "target"));
    }
    let (slot, top, plot, left) = (130i128, 30i128, 220i128, 20i128);
    let width = left * 2 + slot * bars.len() as i128;
    let height = top + plot + 50;
    let axis = Axis::new(bars.iter().flat_map(|b| [b.1, b.2]), plot);
    let y = |v: i128| top + plot - axis.at(v);
    let _ = writeln!(
        out,
        "<svg class=\"chart waterfall\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = writeln!(out, "<title>{}</title>", f.tr("Layer waterfall", "逐层瀑布"));
    let zero = y(0);
    let _ = writeln!(
        out,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{zero}\" y2=\"{zero}\" stroke=\"#9e9e9e\"/>",
        width - left
    );
    for (i, (label, from, to, class)) in bars.iter().enumerate() {
        let x = left + slot * i as i128 + 15;
        let (ry, rh) = extent(y(*from), y(*to));
        let value =
            if *class == "up" || *class == "down" { f.signed(to - from) } else { f.money(*to) };
        let _ = writeln!(
            out,
            "<rect class=\"bar {class}\" x=\"{x}\" y=\"{ry}\" width=\"{}\" height=\"{rh}\"><title>{}: {}</title></rect>",
            slot - 30,
            esc(label),
            esc(&value)
        );
        let cx = x + (slot - 30) / 2;
        let _ = writeln!(
            out,
            "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            (ry - 5).max(12),
            esc(&value)
        );
        let _ = writeln!(
            out,
            "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            top + plot + 20,
            esc(&shorten(label, 18))
        );
    }
    out.push_str("</svg>\n");
}

/// At most `n` characters, with `…` where cut.
fn shorten(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

/// Horizontal bars, one row per item: a label and one or two bars.
struct HBar {
    label: String,
    bars: Vec<(i128, &'static str, String)>,
}

fn hbars(out: &mut String, class: &str, title: &str, rows: &[HBar], centered: bool) {
    let (label_w, plot, row_h) = (220i128, 520i128, 34i128);
    let width = label_w + plot + 420;
    let height = 10 + row_h * rows.len() as i128;
    let axis = Axis::new(
        rows.iter().flat_map(|r| r.bars.iter().map(|b| b.0)).chain(
            // A diverging chart is symmetric around zero.
            rows.iter().flat_map(|r| r.bars.iter().map(|b| if centered { -b.0 } else { 0 })),
        ),
        plot,
    );
    let _ = writeln!(
        out,
        "<svg class=\"chart {class}\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = writeln!(out, "<title>{}</title>", esc(title));
    let x0 = label_w + axis.at(0);
    let _ = writeln!(
        out,
        "<line x1=\"{x0}\" x2=\"{x0}\" y1=\"0\" y2=\"{height}\" stroke=\"#9e9e9e\"/>"
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 8 + row_h * i as i128;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8,
            y + 17,
            esc(&shorten(&r.label, 24))
        );
        let thick = (row_h - 10) / r.bars.len().max(1) as i128;
        for (j, (v, bar_class, text)) in r.bars.iter().enumerate() {
            let (rx, rw) = extent(label_w + axis.at(0), label_w + axis.at(*v));
            let by = y + thick * j as i128;
            let _ = writeln!(
                out,
                "<rect class=\"bar {bar_class}\" x=\"{rx}\" y=\"{by}\" width=\"{rw}\" height=\"{}\"><title>{}</title></rect>",
                thick - 2,
                esc(text)
            );
        }
        let last = r.bars.iter().map(|b| b.2.as_str()).collect::<Vec<_>>().join(" / ");
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            label_w + plot + 8,
            y + 17,
            esc(&shorten(&last, 64))
        );
    }
    out.push_str("</svg>\n");
}

fn targets(out: &mut String, review: &Review, f: &Fmt, k: usize) {
    let pack = review.pack;
    let pr = &review.rollup.periods[review.periods[k].index];
    let under: &[NodeIx] = pack.tree.children(pack.tree.root);
    if under.is_empty() {
        return;
    }
    let level = crate::review::waterfall::level_label(pack, 1, false);
    let title = if f.zh {
        format!("各{level}的预测与目标")
    } else {
        format!("Forecast against target per {level}")
    };
    let _ = writeln!(out, "<h4>{}</h4>", esc(&title));
    let rows: Vec<HBar> = under
        .iter()
        .map(|&v| {
            let p = &pr.printed[v as usize];
            let mut bars = vec![(
                p.forecast,
                "forecast",
                format!("{} {}", f.tr("forecast", "预测"), f.money(p.forecast)),
            )];
            if let Some(t) = p.target {
                let a = p.attainment.map(|a| format!(" ({})", percent(a))).unwrap_or_default();
                bars.push((t, "target", format!("{} {}{a}", f.tr("target", "目标"), f.money(t))));
            }
            HBar { label: review.who(v), bars }
        })
        .collect();
    hbars(out, "targets", &title, &rows, false);
}

fn movers(out: &mut String, review: &Review, f: &Fmt, k: usize) {
    let Some(m) = &review.periods[k].moved else { return };
    let rows: Vec<HBar> = m
        .nodes
        .iter()
        .take(12)
        .map(|c| {
            let d = c.moved;
            let class = if d < 0 { "down" } else { "up" };
            HBar {
                label: c.who(),
                bars: vec![(d, class, format!("{} {}", f.tr("move", "变化"), f.signed(d)))],
            }
        })
        .collect();
    if !rows.is_empty() {
        hbars(out, "movers", f.tr("Biggest movers", "变化最大的节点"), &rows, true);
    }
}
