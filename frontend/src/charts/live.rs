//! Live charts: one component's utilisation over time with the phase's warning and critical
//! lines drawn across it.

use charming::Chart;
use charming::component::{Axis, Grid, Title, VisualMap, VisualMapPiece, VisualMapType};
use charming::datatype::CompositeValue;
use charming::element::AxisLabel;
use charming::element::{
    AxisType, ItemStyle, Label, LineStyle, LineStyleType, MarkLine, MarkLineData, MarkLineVariant,
    Symbol, Tooltip, Trigger,
};
use charming::series::Line;
use phaseplan_model::Status;
use phaseplan_model::live::UtilisationSeries;

use super::theme::{png_toolbox, status_colour};

/// A gap longer than this many sampling intervals breaks the line (the source was down).
const GAP_INTERVALS: f64 = 3.0;

/// Buckets a chart's window is cut into: it draws the lowest and the highest point of each. A
/// chart is a few hundred pixels wide; a day at 5 s is 17,280 points, which would cost more to
/// hand to ECharts on every update than the whole analysis.
const BUCKETS: usize = 600;

/// The stretch of time a chart draws, and the buckets it is cut into.
///
/// Buckets are aligned to multiples of their width (from the Unix epoch), not to the window's
/// start: as the window slides, a finished bucket keeps its points, so the drawing of the past
/// never changes. When a bucket holds several samples (a window longer than about 600 sampling
/// intervals: at 5 s, anything past 50 minutes), the chart ends at the last finished bucket, and
/// the bucket in progress is drawn once it is finished. A chart of a day is then redrawn once
/// every 144 s instead of on every sample: the picture only changes when a bucket is added, and
/// the newest value is in the page's "Now" table (and beside the chart) as it arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Unix seconds: the axis starts here (the window, or the history when it is shorter).
    pub start: f64,
    /// Unix seconds: the axis ends here; points at or after it are not drawn yet.
    pub end: f64,
    /// Seconds per bucket: the window over [`BUCKETS`].
    pub bucket: f64,
    /// Whether `end` is a finished bucket's end (so the last samples wait for their bucket).
    pub bucketed: bool,
}

impl Span {
    /// The span of `points` (oldest first) a chart of a `window_seconds` window draws, sampled
    /// every `interval_seconds`; `None` without points.
    pub fn of(points: &[(f64, f64)], window_seconds: f64, interval_seconds: f64) -> Option<Span> {
        let (first, last) = (points.first()?.0, points.last()?.0);
        #[allow(clippy::cast_precision_loss)]
        let bucket = window_seconds.max(1.0) / BUCKETS as f64;
        let finished = (last / bucket).floor() * bucket;
        // Several samples a bucket, and at least one bucket finished: end at the last one.
        let bucketed = bucket > interval_seconds.max(0.05) && finished > first;
        let end = if bucketed { finished } else { last };
        let start = (end - window_seconds).max((first / bucket).floor() * bucket);
        Some(Span {
            start,
            end,
            bucket,
            bucketed,
        })
    }
}

/// Reduces `points` (oldest first) to the lowest and the highest point of each bucket of
/// `width` seconds (aligned to multiples of `width`), in time order: the line keeps its
/// envelope, so a spike past a threshold still shows, at a fraction of the points. No more
/// points than a full window's envelope would have are left as they are.
pub fn envelope(points: &[(f64, f64)], width: f64) -> Vec<(f64, f64)> {
    if width.is_nan() || width <= 0.0 || points.len() <= 2 * BUCKETS {
        return points.to_vec();
    }
    let index = |t: f64| (t / width).floor();
    let mut out = Vec::with_capacity(2 * BUCKETS + 2);
    let mut i = 0;
    while i < points.len() {
        let bucket = index(points[i].0);
        let (mut low, mut high) = (points[i], points[i]);
        let mut j = i + 1;
        while j < points.len() && index(points[j].0) == bucket {
            if points[j].1 < low.1 {
                low = points[j];
            }
            if points[j].1 > high.1 {
                high = points[j];
            }
            j += 1;
        }
        if low.0 == high.0 {
            out.push(low);
        } else if low.0 < high.0 {
            out.extend([low, high]);
        } else {
            out.extend([high, low]);
        }
        i = j;
    }
    out
}

/// The utilisation of `u` over its [`Span`] for a window of `window_seconds`, with its band's
/// lines. The newest value is not in the chart (it would change the picture on every sample):
/// see [`latest_words`].
pub fn utilisation_over_time(
    u: &UtilisationSeries,
    status: Status,
    interval_seconds: f64,
    window_seconds: f64,
) -> Chart {
    let span = Span::of(&u.points, window_seconds, interval_seconds).unwrap_or(Span {
        start: 0.0,
        end: 1.0,
        bucket: 1.0,
        bucketed: false,
    });
    let (start, end) = (span.start, span.end);
    let first = u.points.partition_point(|(t, _)| *t < start);
    let drawn = if span.bucketed {
        u.points.partition_point(|(t, _)| *t < end)
    } else {
        u.points.len()
    };
    let inside = &u.points[first..drawn.max(first)];
    let shown = envelope(inside, span.bucket);
    // A longer silence than a few samples (or than two buckets, once reduced) is an outage.
    let gap = if shown.len() < inside.len() {
        (GAP_INTERVALS * interval_seconds.max(0.05)).max(2.5 * span.bucket)
    } else {
        GAP_INTERVALS * interval_seconds.max(0.05)
    };
    let mut data: Vec<CompositeValue> = Vec::with_capacity(shown.len() + 8);
    let mut previous: Option<f64> = None;
    for &(t, v) in &shown {
        if previous.is_some_and(|p| t - p > gap) {
            // `null` ends the line; it starts again at the next point.
            data.push(CompositeValue::Array(vec![
                (t * 1_000.0 - 1.0).into(),
                CompositeValue::OptionalNumber(None),
            ]));
        }
        data.push(vec![t * 1_000.0, (v * 10.0).round() / 10.0].into());
        previous = Some(t);
    }
    // The axis's top from what is drawn, so a sample still waiting for its bucket cannot
    // rescale the chart before it is drawn.
    let top = inside.iter().map(|p| p.1).fold(100.0, f64::max);
    Chart::new()
        .toolbox(png_toolbox(&format!(
            "live-{}",
            u.label.to_lowercase().replace(' ', "-")
        )))
        .title(Title::new().text(u.label.as_str()))
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(44).right(92).top(56).bottom(28))
        .x_axis(
            Axis::new()
                .type_(AxisType::Time)
                .min(start * 1_000.0)
                .max(end.max(start + 1.0) * 1_000.0)
                // At most four labels, so they never overlap on a phone.
                .min_interval(((end - start).max(1.0) * 1_000.0 / 3.0).round())
                .axis_label(AxisLabel::new().formatter("{HH}:{mm}:{ss}")),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .min(0)
                .max((top / 10.0).ceil() * 10.0)
                .name("%"),
        )
        // The line takes the colour of the band each stretch of it is in, so a spike past the
        // critical line shows red where it happened.
        .visual_map(
            VisualMap::new()
                .type_(VisualMapType::Piecewise)
                .show(false)
                .dimension(1)
                .series_index(0)
                .pieces(vec![
                    VisualMapPiece::new()
                        .lte(u.warning_percent)
                        .color(status_colour(Status::Optimal)),
                    VisualMapPiece::new()
                        .gt(u.warning_percent)
                        .lte(u.critical_percent)
                        .color(status_colour(Status::Warning)),
                    VisualMapPiece::new()
                        .gt(u.critical_percent)
                        .color(status_colour(Status::Critical)),
                ]),
        )
        .series(
            Line::new()
                .name(u.label.as_str())
                .show_symbol(false)
                .connect_nulls(false)
                .line_style(LineStyle::new().width(2))
                .item_style(ItemStyle::new().color(status_colour(status)))
                .data(data),
        )
        .series(threshold("warning", u.warning_percent, Status::Warning))
        .series(threshold("critical", u.critical_percent, Status::Critical))
}

/// The newest value of `u` and, when the chart ends before it, up to when the chart draws: what
/// the page shows beside a chart, since the chart itself only changes a bucket at a time.
pub fn latest_words(u: &UtilisationSeries, window_seconds: f64, interval_seconds: f64) -> String {
    let Some(&(_, v)) = u.points.last() else {
        return "no data".to_owned();
    };
    match Span::of(&u.points, window_seconds, interval_seconds) {
        Some(span) if span.bucketed => format!(
            "{v:.1} % now · the chart moves in steps of {}",
            crate::format::ago(span.bucket)
        ),
        _ => format!("{v:.1} % now"),
    }
}

/// A threshold as a dashed line in its status colour, labelled at the right. A series of its
/// own (without data) because a mark line's colour is set per series, not per line.
fn threshold(name: &str, value: f64, status: Status) -> Line {
    let colour = status_colour(status);
    Line::new().name(name).data(Vec::<f64>::new()).mark_line(
        MarkLine::new()
            .silent(true)
            .symbol(vec![Symbol::None, Symbol::None])
            .line_style(
                LineStyle::new()
                    .type_(LineStyleType::Dashed)
                    .color(colour)
                    .width(1.5),
            )
            .data(vec![MarkLineVariant::Simple(
                MarkLineData::new().name(name).y_axis(value).label(
                    Label::new()
                        .formatter(format!("{name} {value:.0} %").as_str())
                        .color(colour),
                ),
            )]),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use phaseplan_model::live::LiveComponent;

    fn series() -> UtilisationSeries {
        UtilisationSeries {
            component: LiveComponent::AppCpu,
            label: "CPU".to_owned(),
            warning_percent: 60.0,
            critical_percent: 80.0,
            // 5-s samples with a 60-s hole between 110 and 170.
            points: vec![(100.0, 10.0), (105.0, 20.0), (110.0, 30.0), (170.0, 40.0)],
        }
    }

    /// A day at 5 s ending at `end`, flat at 30 % but for one 5-s spike to 95 % at 45,000 s.
    fn day(end: f64) -> UtilisationSeries {
        let points = (0..17_280)
            .map(|i| {
                let t = end - 86_400.0 + 5.0 * f64::from(i + 1);
                (
                    t,
                    if (t - 45_000.0).abs() < 1.0 {
                        95.0
                    } else {
                        30.0
                    },
                )
            })
            .collect();
        UtilisationSeries { points, ..series() }
    }

    fn json(chart: &Chart) -> serde_json::Value {
        serde_json::to_value(chart).unwrap()
    }

    #[test]
    fn a_gap_breaks_the_line_and_the_thresholds_are_drawn() {
        // A 100-s window: buckets of 1/6 s, one sample each, so every sample is drawn.
        let chart = utilisation_over_time(&series(), Status::Optimal, 5.0, 100.0);
        let json = json(&chart);
        let data = json["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.len(), 5, "4 points and one break");
        assert!(data[3][1].is_null());
        assert_eq!(data[4], serde_json::json!([170_000.0, 40.0]));
        let marks: Vec<f64> = json["series"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|s| s["markLine"]["data"][0]["yAxis"].as_f64().unwrap())
            .collect();
        assert_eq!(marks, vec![60.0, 80.0]);
        // The history is shorter than the window: the axis starts at its first sample.
        assert_eq!(json["xAxis"]["min"], serde_json::json!(100_000.0));
        assert_eq!(json["xAxis"]["max"], serde_json::json!(170_000.0));
        // Coloured by band: green to 60, amber to 80, red beyond.
        let pieces = &json["visualMap"][0]["pieces"];
        assert_eq!(pieces[0]["lte"], 60.0);
        assert_eq!(
            (pieces[1]["gt"].as_f64(), pieces[1]["lte"].as_f64()),
            (Some(60.0), Some(80.0))
        );
        assert_eq!(pieces[2]["gt"], 80.0);
        assert_eq!(json["visualMap"][0]["type"], "piecewise");
    }

    #[test]
    fn a_day_is_drawn_as_its_envelope_spikes_included() {
        let u = day(86_400.0);
        let e = envelope(&u.points, 144.0);
        assert!(e.len() <= 1_201, "{}", e.len());
        assert!(e.contains(&(45_000.0, 95.0)), "the spike survives");
        assert!(e.windows(2).all(|w| w[0].0 < w[1].0), "in time order");
        let chart = utilisation_over_time(&u, Status::Optimal, 5.0, 86_400.0);
        let json = json(&chart);
        let data = json["series"][0]["data"].as_array().unwrap();
        assert!(data.len() <= 1_200);
        assert!(
            data.iter().all(|d| !d[1].is_null()),
            "no false gaps between buckets"
        );
        assert!(data.iter().any(|d| d[1] == 95.0));
        // Few points are left as they are.
        assert_eq!(envelope(&u.points[..100], 144.0).len(), 100);
    }

    #[test]
    fn a_long_window_changes_only_when_a_bucket_is_finished() {
        // A day's chart, then the samples of the next 140 s: all inside the bucket in progress
        // (buckets of 144 s start at multiples of 144: 86,400 is one), so nothing is redrawn.
        let mut u = day(86_400.0);
        let before = utilisation_over_time(&u, Status::Optimal, 5.0, 86_400.0);
        for k in 1..=28 {
            u.points
                .push((86_400.0 + 5.0 * f64::from(k), 50.0 + f64::from(k)));
            assert_eq!(
                utilisation_over_time(&u, Status::Optimal, 5.0, 86_400.0),
                before,
                "sample {k} redrew the chart"
            );
        }
        let span = Span::of(&u.points, 86_400.0, 5.0).unwrap();
        assert!(span.bucketed);
        assert_eq!(span.end, 86_400.0);
        assert_eq!(span.start, 0.0);
        assert!(
            latest_words(&u, 86_400.0, 5.0)
                .starts_with("78.0 % now · the chart moves in steps of 2 min")
        );
        // The sample that starts the next bucket finishes this one: drawn, and the axis moves
        // by one bucket.
        u.points.push((86_545.0, 20.0));
        let after = json(&utilisation_over_time(&u, Status::Optimal, 5.0, 86_400.0));
        assert_eq!(after["xAxis"]["max"], serde_json::json!(86_544_000.0));
        assert_eq!(after["xAxis"]["min"], serde_json::json!(144_000.0));
        let data = after["series"][0]["data"].as_array().unwrap();
        assert_eq!(
            data.last().unwrap(),
            &serde_json::json!([86_540_000.0, 78.0])
        );
        // The finished bucket's low and high: the day's last sample (30 % at 86,400 s, the
        // bucket's start) and the 78 % at its end; the samples between are inside its envelope.
        assert_eq!(
            data[data.len() - 2],
            serde_json::json!([86_400_000.0, 30.0])
        );
    }

    #[test]
    fn a_short_window_draws_every_sample_as_it_comes() {
        // 15 minutes: buckets of 1.5 s, shorter than the 5-s interval.
        let mut u = series();
        let span = Span::of(&u.points, 900.0, 5.0).unwrap();
        assert!(!span.bucketed);
        assert_eq!(span.end, 170.0);
        u.points.push((175.0, 45.0));
        let json = json(&utilisation_over_time(&u, Status::Optimal, 5.0, 900.0));
        let data = json["series"][0]["data"].as_array().unwrap();
        assert_eq!(data.last().unwrap(), &serde_json::json!([175_000.0, 45.0]));
        assert_eq!(latest_words(&u, 900.0, 5.0), "45.0 % now");
    }

    #[test]
    fn points_before_the_window_are_left_out() {
        // A 60-s window ending at 170: 110 is in it, 105 is not.
        let chart = utilisation_over_time(&series(), Status::Optimal, 5.0, 60.0);
        let json = json(&chart);
        assert_eq!(
            json["series"][0]["data"].as_array().unwrap().len(),
            3,
            "{json}"
        );
    }
}
