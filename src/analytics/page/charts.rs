//! The report's charts as SVG, drawn with `plotters` (SVG backend only: text stays SVG
//! `<text>`, so no font files are read and the result can be inlined in an HTML page).

use plotters::coord::Shift;
use plotters::prelude::*;

/// Chart size in SVG user units.
const WIDTH: u32 = 720;
const BAR_HEIGHT: u32 = 320;

/// Series colours: colour-blind safe (Okabe–Ito).
pub const FEMALE: RGBColor = RGBColor(204, 121, 167);
pub const MALE: RGBColor = RGBColor(0, 114, 178);
pub const OTHER: RGBColor = RGBColor(153, 153, 153);
pub const BAR: RGBColor = RGBColor(0, 158, 115);

const FONT: &str = "sans-serif";

/// One stacked series: a name for the legend, a colour, one value per category.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub values: Vec<i64>,
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

fn finish(svg: String, result: DrawResult<()>) -> anyhow::Result<String> {
    result.map_err(|e| anyhow::anyhow!("drawing a chart failed: {e}"))?;
    Ok(svg)
}

/// Upper end of the value axis: the largest stacked total plus headroom, at least 1.
fn axis_max(series: &[Series<'_>], n: usize) -> i64 {
    let total =
        (0..n).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0)).sum::<i64>()).max().unwrap_or(0);
    (total + (total / 10).max(1)).max(1)
}

/// The end of a segmented axis for `n` categories: such an axis has one segment per value of
/// `0..=end`, and with a single segment plotters draws no labels, so there are at least two.
fn last_segment(n: usize) -> u32 {
    (n.max(2) - 1) as u32
}

/// Vertical bars, one per category, series stacked bottom-up, with a legend when asked.
pub fn columns(
    title: &str,
    x_desc: &str,
    labels: &[String],
    series: &[Series<'_>],
    legend: bool,
) -> anyhow::Result<String> {
    let mut svg = String::new();
    let result = (|| -> DrawResult<()> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, BAR_HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let n = labels.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 22))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d((0..last_segment(n)).into_segmented(), 0i64..axis_max(series, labels.len()))?;
        let label_of = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&label_of)
            .x_desc(x_desc)
            .y_desc("users")
            .label_style((FONT, 15))
            .draw()?;
        let mut base = vec![0i64; labels.len()];
        for s in series {
            let bars: Vec<Rectangle<(SegmentValue<u32>, i64)>> = s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let (lo, hi) = (base[i], base[i] + v);
                    base[i] = hi;
                    let mut bar = Rectangle::new(
                        [(SegmentValue::Exact(i as u32), lo), (SegmentValue::Exact(i as u32 + 1), hi)],
                        s.color.filled(),
                    );
                    bar.set_margin(0, 0, 3, 3);
                    bar
                })
                .collect();
            let color = s.color;
            let drawn = chart.draw_series(bars)?;
            if legend {
                drawn.label(s.name).legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
            }
        }
        if legend {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK.mix(0.3))
                .label_font((FONT, 15))
                .draw()?;
        }
        root.present()?;
        Ok(())
    })();
    finish(svg, result)
}

/// Horizontal bars, largest first from the top: for long labels (countries, cities).
pub fn bars(title: &str, labels: &[String], values: &[i64]) -> anyhow::Result<String> {
    let mut svg = String::new();
    let height = 70 + 26 * labels.len().max(1) as u32;
    let result = (|| -> DrawResult<()> {
        let root: DrawingArea<SVGBackend<'_>, Shift> =
            SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let n = labels.len().max(1) as u32;
        let max = values.iter().copied().max().unwrap_or(0);
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4) as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 22))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size((longest * 7 + 16).clamp(60, 300))
            .build_cartesian_2d(0i64..(max + (max / 10).max(1)), (0..last_segment(n as usize)).into_segmented())?;
        // The first label is drawn at the top.
        let label_of = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) if *i < n => labels.get((n - 1 - i) as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&label_of)
            .x_desc("users")
            .label_style((FONT, 15))
            .draw()?;
        chart.draw_series(values.iter().enumerate().map(|(i, v)| {
            let row = n - 1 - i as u32;
            let mut bar =
                Rectangle::new([(0, SegmentValue::Exact(row)), (*v, SegmentValue::Exact(row + 1))], BAR.filled());
            bar.set_margin(3, 3, 0, 0);
            bar
        }))?;
        root.present()?;
        Ok(())
    })();
    finish(svg, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_svg_with_one_bar_per_value_and_escaped_labels() {
        let labels = vec!["20-29".to_string(), "30-39".to_string()];
        let series = [
            Series { name: "female", color: FEMALE, values: vec![3, 5] },
            Series { name: "male", color: MALE, values: vec![4, 0] },
        ];
        let svg = columns("Age by gender", "age band", &labels, &series, true).unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
        let text: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .map(|t| t.split_once('>').unwrap().1.split('<').next().unwrap().trim())
            .collect();
        assert!(
            text.contains(&"20-29") && text.contains(&"female") && text.contains(&"Age by gender"),
            "labels, legend and title are SVG text: {text:?}"
        );
        let fill = |c: RGBColor| format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
        // 2 female bars + 1 legend swatch; the male series has a zero bar, drawn empty.
        assert_eq!(svg.matches(&fill(FEMALE)).count(), 3, "{svg}");

        let svg = bars("Top", &["Côte <d'Ivoire> & co".to_string()], &[7]).unwrap();
        assert!(svg.contains("&lt;d") && svg.contains("&amp; co"), "labels are escaped: {svg}");
        assert_eq!(svg.matches(&fill(BAR)).count(), 1);
    }
}
