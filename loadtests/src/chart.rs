//! The chart of a rush, drawn with plotters' SVG backend (text is written as SVG `<text>`,
//! so no system font is needed): requests/s and errors/s over time on top, the p99
//! latency of each second below, and the hot showtime's sold and free seats.

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;

use crate::rush::record::Point;

/// Draws `timeline` into an SVG file at `path`.
///
/// # Errors
/// The file cannot be written.
pub fn draw(timeline: &[Point], path: &Path, title: &str) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, (960, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("chart: {e}"))?;
    let root = root.titled(title, ("sans-serif", 20)).map_err(|e| anyhow!("chart: {e}"))?;
    let (top, bottom) = root.split_vertically(320);
    let t_max = timeline.len().max(2) as u64;
    throughput(&top, timeline, t_max).map_err(|e| anyhow!("chart: {e}"))?;
    latency(&bottom, timeline, t_max).map_err(|e| anyhow!("chart: {e}"))?;
    root.present().map_err(|e| anyhow!("chart: {e}"))?;
    Ok(())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

fn throughput(area: &Area<'_>, timeline: &[Point], t_max: u64) -> Drawn {
    let seats_max = timeline.iter().filter_map(|p| p.hot.map(|(s, h, f)| s + h + f)).max().unwrap_or(0);
    let y_max = timeline.iter().map(|p| p.requests).max().unwrap_or(1).max(seats_max).max(1) * 11 / 10;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .caption("answers per second; hot showtime seats", ("sans-serif", 16))
        .build_cartesian_2d(0..t_max, 0..y_max)?;
    chart.configure_mesh().x_desc("seconds").y_desc("per second / seats").draw()?;
    let series = |f: &dyn Fn(&Point) -> Option<u64>| -> Vec<(u64, u64)> {
        timeline.iter().filter_map(|p| f(p).map(|v| (p.t_s, v))).collect()
    };
    chart
        .draw_series(LineSeries::new(series(&|p| Some(p.requests)), BLUE.stroke_width(2)))?
        .label("requests/s")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE));
    chart
        .draw_series(LineSeries::new(series(&|p| Some(p.errors)), RED.stroke_width(2)))?
        .label("errors/s")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED));
    chart
        .draw_series(LineSeries::new(series(&|p| p.hot.map(|h| h.0)), GREEN.stroke_width(2)))?
        .label("hot: sold")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], GREEN));
    chart
        .draw_series(LineSeries::new(series(&|p| p.hot.map(|h| h.2)), BLACK.stroke_width(1)))?
        .label("hot: free")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}

fn latency(area: &Area<'_>, timeline: &[Point], t_max: u64) -> Drawn {
    let y_max = timeline.iter().map(|p| p.p99_ms).fold(1.0_f64, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(60)
        .caption("p99 latency of each second (all operations)", ("sans-serif", 16))
        .build_cartesian_2d(0..t_max, 0.0..y_max)?;
    chart.configure_mesh().x_desc("seconds").y_desc("ms").draw()?;
    let points = timeline.iter().filter(|p| p.requests > 0).map(|p| (p.t_s, p.p99_ms));
    chart.draw_series(LineSeries::new(points, MAGENTA.stroke_width(2)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_with_text_and_lines() {
        let timeline: Vec<Point> = (0..10)
            .map(|t| Point {
                t_s: t,
                requests: 100 * t,
                errors: t % 2,
                p99_ms: t as f64,
                hot: Some((t * 10, 5, 100 - t * 10)),
            })
            .collect();
        let dir = std::env::temp_dir().join(format!("boxoffice-chart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("chart.svg");
        draw(&timeline, &path, "test").expect("drawn");
        let svg = std::fs::read_to_string(&path).expect("svg");
        assert!(
            svg.starts_with("<svg") && svg.contains("<text") && svg.contains("<polyline"),
            "{}",
            &svg[..200.min(svg.len())]
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
