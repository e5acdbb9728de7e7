//! Charts drawn on the server as SVG: no script, no inline style (the CSP forbids both), colours
//! from the NHS.UK palette. Every chart has a title and description for assistive technology,
//! and the page shows its data as a table beside it.

use std::fmt::Write;

use footprint_stress::result::{TornadoBar, YearStats};

/// NHS blue.
const BLUE: &str = "#005eb8";
/// NHS dark grey.
const GREY: &str = "#4c6272";
/// NHS pale grey (grid lines).
const LIGHT: &str = "#d8dde0";
/// NHS red (the balance line).
const RED: &str = "#d5281b";

/// Escapes text for XML (SVG, Atom).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// £m with thousands separators and one decimal.
pub fn money(v: f64) -> String {
    money_with(v, 1)
}

/// £m with two decimals (for standard errors, which are small).
pub fn money2(v: f64) -> String {
    money_with(v, 2)
}

fn money_with(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let neg = v < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0');
    format!("{}£{}.{frac}m", if neg { "−" } else { "" }, group(int))
}

fn group(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    group(&n.to_string())
}

/// A share as a whole-number percentage (one decimal under 10%).
pub fn percent(p: f64) -> String {
    let v = p * 100.0;
    if v > 0.0 && v < 10.0 {
        format!("{v:.1}%")
    } else {
        format!("{v:.0}%")
    }
}

/// Ticks for an axis between lo and hi: about five round numbers.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-9);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + 1e-9 {
        out.push(if t.abs() < 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

/// The fan chart of the gap by year: P5–P95 and P10–P90 bands, the median, and the balance line.
pub fn fan(id: &str, gap: &[YearStats]) -> String {
    let (w, h) = (640.0, 320.0);
    let (left, right, top, bottom) = (84.0, 40.0, 16.0, 40.0);
    let lo = gap.iter().map(|y| y.p5).fold(0.0f64, f64::min);
    let hi = gap.iter().map(|y| y.p95).fold(0.0f64, f64::max);
    let pad = (hi - lo).max(1.0) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let n = gap.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| top + (h - top - bottom) * (hi - v) / (hi - lo);
    let band = |upper: &dyn Fn(&YearStats) -> f64, lower: &dyn Fn(&YearStats) -> f64| {
        let mut pts: Vec<String> = gap
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{:.1},{:.1}", x(i), y(upper(s))))
            .collect();
        pts.extend(
            gap.iter()
                .enumerate()
                .rev()
                .map(|(i, s)| format!("{:.1},{:.1}", x(i), y(lower(s)))),
        );
        pts.join(" ")
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="fp-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        s,
        r#"<title id="{id}-title">The gap by year: the range of outcomes</title><desc id="{id}-desc">Shaded bands hold 90% and 80% of scenarios, the line is the median, the red line is balance; above it is a deficit. The table beside the chart gives the figures.</desc>"#
    );
    for t in ticks(lo, hi) {
        let _ = write!(
            s,
            r#"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{LIGHT}" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="{GREY}">{}</text>"#,
            w - right,
            y(t),
            y(t),
            left - 6.0,
            y(t) + 4.0,
            esc(&money(t))
        );
    }
    let _ = write!(
        s,
        r#"<polygon points="{}" fill="{BLUE}" fill-opacity="0.18"/>"#,
        band(&|s| s.p95, &|s| s.p5)
    );
    let _ = write!(
        s,
        r#"<polygon points="{}" fill="{BLUE}" fill-opacity="0.3"/>"#,
        band(&|s| s.p90, &|s| s.p10)
    );
    let median: Vec<String> = gap
        .iter()
        .enumerate()
        .map(|(i, st)| format!("{:.1},{:.1}", x(i), y(st.p50)))
        .collect();
    let _ = write!(
        s,
        r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="3"/>"#,
        median.join(" ")
    );
    let _ = write!(
        s,
        r#"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{RED}" stroke-width="2" stroke-dasharray="6 4"/>"#,
        w - right,
        y(0.0),
        y(0.0)
    );
    for (i, st) in gap.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="{GREY}">{}</text>"#,
            x(i),
            h - bottom + 20.0,
            esc(&st.year)
        );
    }
    s.push_str("</svg>");
    s
}

/// The tornado: for the variables that move the final-year gap most, the gap with the variable
/// at its P10 and at its P90, every other value at its median.
pub fn tornado(id: &str, bars: &[(String, &TornadoBar)], centre: f64) -> String {
    let row = 28.0;
    let (w, label, right, top) = (640.0, 300.0, 24.0, 8.0);
    let h = top + row * bars.len().max(1) as f64 + 28.0;
    let lo = bars.iter().map(|(_, b)| b.low.min(b.high)).fold(centre, f64::min);
    let hi = bars.iter().map(|(_, b)| b.low.max(b.high)).fold(centre, f64::max);
    let pad = (hi - lo).max(1.0) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |v: f64| label + (w - label - right) * (v - lo) / (hi - lo);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="fp-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">"#
    );
    let _ = write!(
        s,
        r#"<title id="{id}-title">What moves the final-year gap most</title><desc id="{id}-desc">For each assumption, a bar from the final-year gap with it at its 10th percentile to the gap with it at its 90th, every other assumption at its median. The table beside the chart gives the figures.</desc>"#
    );
    for (k, (name, b)) in bars.iter().enumerate() {
        let yy = top + row * k as f64;
        let (a, c) = (x(b.low.min(b.high)), x(b.low.max(b.high)));
        let short: String = if name.chars().count() > 44 {
            format!("{}…", name.chars().take(43).collect::<String>())
        } else {
            name.clone()
        };
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="{GREY}">{}</text><rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{BLUE}"/>"#,
            label - 8.0,
            yy + row * 0.62,
            esc(&short),
            yy + 4.0,
            (c - a).max(1.0),
            row - 8.0
        );
    }
    let base = top + row * bars.len().max(1) as f64;
    let _ = write!(
        s,
        r#"<line x1="{:.1}" x2="{:.1}" y1="{top}" y2="{base:.1}" stroke="{GREY}" stroke-width="2"/>"#,
        x(centre),
        x(centre)
    );
    if lo < 0.0 && hi > 0.0 {
        let _ = write!(
            s,
            r#"<line x1="{:.1}" x2="{:.1}" y1="{top}" y2="{base:.1}" stroke="{RED}" stroke-width="2" stroke-dasharray="6 4"/>"#,
            x(0.0),
            x(0.0)
        );
    }
    for t in ticks(lo, hi) {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="{GREY}">{}</text>"#,
            x(t),
            base + 18.0,
            esc(&money(t))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_percent() {
        assert_eq!(money(1234.56), "£1,234.6m");
        assert_eq!(money(-20.0), "−£20.0m");
        assert_eq!(money(0.04), "£0.0m");
        assert_eq!(money(-0.04), "£0.0m", "no minus sign on a zero");
        assert_eq!(money(1_234_567.0), "£1,234,567.0m");
        assert_eq!(percent(0.26), "26%");
        assert_eq!(percent(0.034), "3.4%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(20_000), "20,000");
        assert_eq!(count(7), "7");
        assert_eq!(money2(0.0412), "£0.04m");
        assert_eq!(money2(1234.567), "£1,234.57m");
        assert_eq!(money2(-0.5), "−£0.50m");
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(-12.0, 95.0), [0.0, 20.0, 40.0, 60.0, 80.0]);
        let t = ticks(-230.0, 410.0);
        assert!(t.len() >= 4 && t.len() <= 7 && t.contains(&0.0), "{t:?}");
    }
}
