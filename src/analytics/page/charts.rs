//! The report's charts as SVG, drawn with `plotters` (SVG backend only: text stays SVG
//! `<text>`, so no font files are read and the result can be inlined in an HTML page).
//!
//! The layout is computed here rather than left to plotters' chart builder, so that nothing
//! collides: every text gets a box from an estimate of its width (generous for common
//! sans-serif fonts), axis titles sit outside the tick labels, tick labels are thinned out
//! before they would touch, and the legend has its own row above the data. Axis numbers have
//! thousands separators.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::numbers::{grouped, share};

/// Chart width in SVG user units.
const WIDTH: i32 = 720;
const COLUMNS_HEIGHT: i32 = 330;
const MARGIN: i32 = 10;

/// Font sizes in pixels.
const TITLE_PX: f64 = 16.0;
const LABEL_PX: f64 = 13.0;

/// Series colours: colour-blind safe (Okabe–Ito).
pub const FEMALE: RGBColor = RGBColor(204, 121, 167);
pub const MALE: RGBColor = RGBColor(0, 114, 178);
pub const OTHER: RGBColor = RGBColor(153, 153, 153);
pub const BAR: RGBColor = RGBColor(0, 158, 115);
const INK: RGBColor = RGBColor(51, 51, 51);
const GRID: RGBColor = RGBColor(229, 229, 229);
const AXIS: RGBColor = RGBColor(153, 153, 153);

const FONT: &str = "sans-serif";

/// Longest label drawn in full; longer ones end in "…".
const MAX_LABEL_CHARS: usize = 30;

/// One stacked series: a name for the legend, a colour, one value per category.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub values: Vec<i64>,
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn finish(svg: String, result: DrawResult<()>) -> anyhow::Result<String> {
    result.map_err(|e| anyhow::anyhow!("drawing a chart failed: {e}"))?;
    Ok(svg)
}

/// The width of `text` at `px`, estimated from character classes with some room to spare (the
/// browser's fonts are not known here; DejaVu Sans, a wide one, stays inside these boxes).
pub fn text_width(text: &str, px: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            ' ' => 0.34,
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.34,
            'f' | 't' | 'r' | '(' | ')' | '-' | '[' | ']' => 0.45,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.95,
            '0'..='9' => 0.66,
            'A'..='Z' => 0.76,
            'a'..='z' => 0.63,
            c if c.is_ascii() => 0.66,
            _ => 0.8,
        })
        .sum();
    em * px
}

/// `text` cut to [`MAX_LABEL_CHARS`] characters with an ellipsis.
fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_LABEL_CHARS {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX_LABEL_CHARS - 1).collect::<String>())
    }
}

/// plotters' SVG backend writes `font-size = size / 1.24`: this is the size giving `px`.
fn style(px: f64, pos: Pos) -> TextStyle<'static> {
    TextStyle::from((FONT, px * 1.24)).pos(pos).color(&INK)
}

/// A step of 1, 2 or 5 × 10^k, so that `0..=max` takes at most `ticks` steps.
fn nice_step(max: i64, ticks: i64) -> i64 {
    let ticks = ticks.max(1);
    let mut magnitude = 1i64;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            if max <= step * ticks {
                return step;
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// The value axis: its end (a whole number of steps at or above `max`, at least 1) and step,
/// with at most `ticks` steps.
fn value_axis(max: i64, ticks: i64) -> (i64, i64) {
    let step = nice_step(max.max(1), ticks);
    let end = ((max.max(1) + step - 1) / step) * step;
    (end, step)
}

fn draw_title(root: &Area<'_>, title: &str) -> DrawResult<()> {
    root.draw(&Text::new(title.to_string(), (MARGIN, MARGIN), style(TITLE_PX, Pos::new(HPos::Left, VPos::Top))))?;
    Ok(())
}

/// The legend in a row of its own at `y` (above the data), from `x`: a swatch and a name per
/// series.
fn draw_legend(root: &Area<'_>, series: &[Series<'_>], x: i32, y: i32) -> DrawResult<()> {
    let mut x = x;
    for s in series {
        root.draw(&Rectangle::new([(x, y - 6), (x + 12, y + 6)], s.color.filled()))?;
        root.draw(&Text::new(s.name.to_string(), (x + 18, y), style(LABEL_PX, Pos::new(HPos::Left, VPos::Center))))?;
        x += 18 + text_width(s.name, LABEL_PX).ceil() as i32 + 22;
    }
    Ok(())
}

/// Vertical bars, one per category, series stacked bottom-up, with a legend when asked.
/// A value of 0 draws nothing (cells withheld by `--min-cell` are passed as 0).
pub fn columns(
    title: &str,
    x_desc: &str,
    labels: &[String],
    series: &[Series<'_>],
    legend: bool,
) -> anyhow::Result<String> {
    let mut svg = String::new();
    let result = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH as u32, COLUMNS_HEIGHT as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        draw_title(&root, title)?;
        let n = labels.len().max(1) as i32;
        let totals: Vec<i64> =
            (0..labels.len()).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0)).sum()).collect();
        let (end, step) = value_axis(totals.iter().copied().max().unwrap_or(0), 5);

        // Rows from the top: title, legend, plot, tick labels, axis title.
        let legend_y = MARGIN + 34;
        let top = if legend { legend_y + 22 } else { MARGIN + 36 };
        let bottom = COLUMNS_HEIGHT - MARGIN - 18 - 8 - 18 - 6;
        let tick_width = (0..=end / step).map(|k| text_width(&grouped(k * step), LABEL_PX)).fold(0.0, f64::max);
        // The y axis title (rotated) in its own strip at the left, then the tick labels.
        let y_title_x = MARGIN + 9;
        let left = MARGIN + 20 + 8 + tick_width.ceil() as i32 + 6;
        let right = WIDTH - MARGIN - 6;
        if legend {
            draw_legend(&root, series, left, legend_y)?;
        }
        let y_of = |v: i64| bottom - ((v as f64 / end as f64) * (bottom - top) as f64).round() as i32;

        for k in 0..=end / step {
            let v = k * step;
            let y = y_of(v);
            root.draw(&PathElement::new(vec![(left, y), (right, y)], if v == 0 { AXIS } else { GRID }))?;
            root.draw(&Text::new(grouped(v), (left - 6, y), style(LABEL_PX, Pos::new(HPos::Right, VPos::Center))))?;
        }
        let y_title = style(LABEL_PX, Pos::new(HPos::Center, VPos::Center)).transform(FontTransform::Rotate270);
        root.draw(&Text::new("users".to_string(), (y_title_x, (top + bottom) / 2), y_title))?;

        let slot = (right - left) as f64 / n as f64;
        let bar = (slot * 0.72).min(64.0);
        for (i, _) in labels.iter().enumerate() {
            let x0 = left as f64 + slot * i as f64 + (slot - bar) / 2.0;
            let mut base = 0i64;
            for s in series {
                let v = s.values.get(i).copied().unwrap_or(0);
                if v > 0 {
                    let rect = [(x0.round() as i32, y_of(base + v)), ((x0 + bar).round() as i32, y_of(base))];
                    root.draw(&Rectangle::new(rect, s.color.filled()))?;
                }
                base += v;
            }
        }
        // Category labels, every k-th one when they would touch.
        let shown: Vec<String> = labels.iter().map(|l| shorten(l)).collect();
        let widest = shown.iter().map(|l| text_width(l, LABEL_PX)).fold(0.0, f64::max);
        let every = ((widest + 8.0) / slot).ceil().max(1.0) as usize;
        for (i, label) in shown.iter().enumerate() {
            if i % every == 0 {
                let x = (left as f64 + slot * (i as f64 + 0.5)).round() as i32;
                root.draw(&Text::new(
                    label.clone(),
                    (x, bottom + 6),
                    style(LABEL_PX, Pos::new(HPos::Center, VPos::Top)),
                ))?;
            }
        }
        root.draw(&Text::new(
            x_desc.to_string(),
            ((left + right) / 2, bottom + 6 + 18 + 8),
            style(LABEL_PX, Pos::new(HPos::Center, VPos::Top)),
        ))?;
        root.present()?;
        Ok(())
    })();
    finish(svg, result)
}

/// Horizontal bars, largest first from the top: for long labels (countries, cities). Each bar
/// ends in its count and its share of `total`.
pub fn bars(title: &str, labels: &[String], values: &[i64], total: i64) -> anyhow::Result<String> {
    let mut svg = String::new();
    let rows = labels.len().max(1) as i32;
    const ROW: i32 = 26;
    let top = MARGIN + 34;
    let height = top + rows * ROW + 8 + 18 + 8 + 18 + MARGIN;
    let result = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH as u32, height as u32)).into_drawing_area();
        root.fill(&WHITE)?;
        draw_title(&root, title)?;
        let shown: Vec<String> = labels.iter().map(|l| shorten(l)).collect();
        let value_text: Vec<String> =
            values.iter().map(|v| format!("{} · {}", grouped(*v), share(*v, total))).collect();
        let label_width = shown.iter().map(|l| text_width(l, LABEL_PX)).fold(0.0, f64::max);
        let value_width = value_text.iter().map(|t| text_width(t, LABEL_PX)).fold(0.0, f64::max);
        let left = MARGIN + label_width.ceil() as i32 + 10;
        let right = WIDTH - MARGIN - value_width.ceil() as i32 - 10;
        let bottom = top + rows * ROW;
        let max = values.iter().copied().max().unwrap_or(0);
        // As many ticks as fit without their labels touching.
        let tick_room = text_width(&grouped(max.max(1) * 10), LABEL_PX) + 16.0;
        let ticks = (((right - left) as f64 / tick_room).floor() as i64).clamp(1, 6);
        let (end, step) = value_axis(max, ticks);
        let x_of = |v: i64| left + ((v as f64 / end as f64) * (right - left) as f64).round() as i32;

        for k in 0..=end / step {
            let v = k * step;
            let x = x_of(v);
            root.draw(&PathElement::new(vec![(x, top), (x, bottom)], if v == 0 { AXIS } else { GRID }))?;
            root.draw(&Text::new(grouped(v), (x, bottom + 6), style(LABEL_PX, Pos::new(HPos::Center, VPos::Top))))?;
        }
        for (i, (label, v)) in shown.iter().zip(values).enumerate() {
            let y0 = top + i as i32 * ROW;
            let mid = y0 + ROW / 2;
            root.draw(&Text::new(
                label.clone(),
                (left - 8, mid),
                style(LABEL_PX, Pos::new(HPos::Right, VPos::Center)),
            ))?;
            if *v > 0 {
                root.draw(&Rectangle::new([(left, y0 + 4), (x_of(*v), y0 + ROW - 4)], BAR.filled()))?;
            }
            root.draw(&Text::new(
                value_text[i].clone(),
                (x_of(*v) + 6, mid),
                style(LABEL_PX, Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        root.draw(&Text::new(
            "users".to_string(),
            ((left + right) / 2, bottom + 6 + 18 + 8),
            style(LABEL_PX, Pos::new(HPos::Center, VPos::Top)),
        ))?;
        root.present()?;
        Ok(())
    })();
    finish(svg, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(svg: &str) -> Vec<&str> {
        svg.split("<text").skip(1).map(|t| t.split_once('>').unwrap().1.split('<').next().unwrap().trim()).collect()
    }

    #[test]
    fn charts_are_svg_with_one_bar_per_value_and_escaped_labels() {
        let labels = vec!["20-29".to_string(), "30-39".to_string()];
        let series = [
            Series { name: "female", color: FEMALE, values: vec![3, 5] },
            Series { name: "male", color: MALE, values: vec![4, 0] },
        ];
        let svg = columns("Age by gender", "age band", &labels, &series, true).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        let text = texts(&svg);
        assert!(
            text.contains(&"20-29") && text.contains(&"female") && text.contains(&"Age by gender"),
            "labels, legend and title are SVG text: {text:?}"
        );
        let fill = |c: RGBColor| format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        // 2 female bars + 1 legend swatch; the male series' zero bar is not drawn.
        assert_eq!(svg.matches(&fill(FEMALE)).count(), 3, "{svg}");
        assert_eq!(svg.matches(&fill(MALE)).count(), 2, "{svg}");

        let svg = bars("Top", &["Côte <d'Ivoire> & co".to_string()], &[7], 10).unwrap();
        assert!(svg.contains("&lt;d") && svg.contains("&amp; co"), "labels are escaped: {svg}");
        assert_eq!(svg.matches(&fill(BAR)).count(), 1);
        assert!(texts(&svg).contains(&"7 · 70.0 %"), "{svg}");
    }

    #[test]
    fn one_category_draws_one_bar_and_its_label() {
        let svg = columns(
            "One",
            "gender",
            &["female".to_string()],
            &[Series { name: "users", color: BAR, values: vec![1] }],
            false,
        )
        .unwrap();
        assert!(texts(&svg).contains(&"female"), "{svg}");
        assert_eq!(svg.matches("fill=\"#009E73\"").count(), 1);
    }

    #[test]
    fn value_axes_use_nice_steps_and_separators() {
        assert_eq!(value_axis(0, 5), (1, 1));
        assert_eq!(value_axis(7, 5), (8, 2));
        assert_eq!(value_axis(54, 5), (60, 20));
        assert_eq!(value_axis(12_345, 5), (15_000, 5_000));
        let svg =
            columns("Big", "years", &["1".into()], &[Series { name: "u", color: BAR, values: vec![12_345] }], false)
                .unwrap();
        assert!(texts(&svg).contains(&"15,000"), "{svg}");
    }

    #[test]
    fn crowded_labels_are_thinned_out() {
        let labels: Vec<String> = (0..60).map(|i| format!("{}", 1000 + i)).collect();
        let series = [Series { name: "users", color: BAR, values: vec![1; 60] }];
        let svg = columns("Many", "years", &labels, &series, false).unwrap();
        let shown = texts(&svg).iter().filter(|t| t.starts_with("10")).count();
        assert!(shown < 60 && shown > 5, "{shown} of 60 labels drawn");
    }
}
