//! The one chart palette, matching the stylesheet's status colours.

use phaseplan_model::Status;

pub const MUTED: &str = "#8a94a6";

pub fn status_colour(status: Status) -> &'static str {
    match status {
        Status::Optimal => "#16a34a",
        Status::Warning => "#d97706",
        Status::Critical => "#dc2626",
    }
}

/// The ECharts toolbox with "save as image": every chart can be exported as a PNG named after it,
/// on the chart's own background (white, or the dark surface in the dark theme).
pub fn png_toolbox(name: &str) -> charming::component::Toolbox {
    use charming::component::{Feature, SaveAsImage, Toolbox};
    Toolbox::new()
        .right(8)
        .top(0)
        .feature(Feature::new().save_as_image(SaveAsImage::new().name(format!("phaseplan-{name}"))))
}
