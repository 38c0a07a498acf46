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
