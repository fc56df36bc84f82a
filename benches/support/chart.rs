//! Line charts as plain SVG for the benchmarks' results: small multiples, one panel per
//! workload or configuration, each with a few named series over the same x ticks. Written
//! by hand (no plotting dependency): the charts are simple and the SVG stays readable.
#![allow(dead_code, reason = "each benchmark uses the part it charts")]

use std::fmt::Write;

/// One line of a panel.
pub struct Series {
    pub name: String,
    pub colour: &'static str,
    pub dashed: bool,
    /// One value per x tick of the panel; `NaN` leaves a point out.
    pub values: Vec<f64>,
}

/// One chart among the small multiples.
pub struct Panel {
    pub title: String,
    pub x_ticks: Vec<String>,
    pub series: Vec<Series>,
}

/// Colours that stay apart in print and for the common colour-vision deficiencies.
pub const BLUE: &str = "#1f77b4";
pub const ORANGE: &str = "#ff7f0e";
pub const GREEN: &str = "#2ca02c";
pub const RED: &str = "#d62728";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Panels three to a row under `title`; `axis` names the y axis and `across` the x axis.
/// The legend is the first panel's series. With `shared_scale` every panel has the same
/// y axis, for panels meant to be compared with each other.
pub fn small_multiples(
    title: &str,
    axis: &str,
    across: &str,
    panels: &[Panel],
    shared_scale: bool,
) -> String {
    let max_of = |p: &Panel| {
        p.series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max)
    };
    let shared = panels.iter().map(max_of).fold(0.0_f64, f64::max);
    let (pw, ph, pad) = (320.0, 210.0, 48.0);
    let cols = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(cols);
    let (w, h) = (pw * cols as f64, ph * rows as f64 + 48.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14">{}</text>"##,
        escape(title)
    );
    if let Some(first) = panels.first() {
        let mut x = 10.0;
        for series in &first.series {
            let dash = if series.dashed {
                r#" stroke-dasharray="5,4""#
            } else {
                ""
            };
            let _ = write!(
                s,
                r##"<line x1="{x}" y1="36" x2="{}" y2="36" stroke="{}" stroke-width="2"{dash}/><text x="{}" y="40">{}</text>"##,
                x + 22.0,
                series.colour,
                x + 26.0,
                escape(&series.name)
            );
            x += 40.0 + 6.5 * series.name.len() as f64;
        }
    }
    for (i, panel) in panels.iter().enumerate() {
        let (ox, oy) = ((i % cols) as f64 * pw, 48.0 + (i / cols) as f64 * ph);
        let max = if shared_scale { shared } else { max_of(panel) }.max(f64::MIN_POSITIVE) * 1.1;
        let n = panel.x_ticks.len().max(2) as f64;
        let x = |k: usize| ox + pad + k as f64 * (pw - 2.0 * pad) / (n - 1.0);
        let y = |v: f64| oy + ph - pad - v / max * (ph - 2.0 * pad);
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-weight="bold">{}</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/><text x="{}" y="{}" text-anchor="end">{}</text><text x="{}" y="{}" text-anchor="end">0</text><text x="{}" y="{}">{} (up) by {} (across)</text>"##,
            ox + pad,
            oy + 15.0,
            escape(&panel.title),
            ox + pad,
            y(0.0),
            ox + pw - pad,
            y(0.0),
            ox + pad,
            y(0.0),
            ox + pad,
            y(max),
            ox + pad - 4.0,
            y(max) + 4.0,
            round(max),
            ox + pad - 4.0,
            y(0.0) + 4.0,
            ox + pad,
            oy + ph - 8.0,
            escape(axis),
            escape(across),
        );
        for (k, tick) in panel.x_ticks.iter().enumerate() {
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" text-anchor="middle">{}</text>"##,
                x(k),
                y(0.0) + 14.0,
                escape(tick)
            );
        }
        for series in &panel.series {
            let dash = if series.dashed {
                r#" stroke-dasharray="5,4""#
            } else {
                ""
            };
            let points: Vec<String> = series
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(k, v)| format!("{:.1},{:.1}", x(k), y(*v)))
                .collect();
            let _ = write!(
                s,
                r##"<polyline fill="none" stroke="{}" stroke-width="2"{dash} points="{}"/>"##,
                series.colour,
                points.join(" ")
            );
            for p in &points {
                let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(
                    s,
                    r##"<circle cx="{px}" cy="{py}" r="2.5" fill="{}"/>"##,
                    series.colour
                );
            }
        }
    }
    s.push_str("</svg>\n");
    s
}

/// The axis maximum as a reader would write it.
fn round(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

/// The machine the figures were measured on: cores and memory.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or("?".into(), |kb| {
            format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0)
        });
    format!("{cores} cores, {mem}")
}

/// Writes a result file under `target/bench/`, returning its path.
pub fn write_result(name: &str, contents: &str) -> Option<std::path::PathBuf> {
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    let path = out.join(name);
    (std::fs::create_dir_all(&out).is_ok() && std::fs::write(&path, contents).is_ok())
        .then_some(path)
}
