//! `POST /api/v1/measurements/parse`: a load-test file in, measurements out — the parser the
//! Scenario page runs on a dropped file ([`phaseplan_model::measurements::parse`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use phaseplan_model::api::ErrorBody;
use phaseplan_model::measurements::parse::{self, Format, Options, Parsed};
use phaseplan_model::{Reason, ValidationError};
use serde::Deserialize;

use crate::error::{AppError, AppJson, AppQuery};
use crate::http::work::WorkPool;

/// The largest file taken, as the model reads it.
pub const MAX_FILE_BYTES: usize = parse::MAX_FILE_BYTES;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ParseQuery {
    /// `k6-json`, `k6-csv`, `jmeter`, `locust`, `wrk`, `hey`, `oha` or `csv`; absent, the format
    /// is recognised from the content.
    format: Option<String>,
    /// The concurrency of a run whose output does not state it (hey or oha without their
    /// command line, Locust's `_stats.csv`).
    concurrency: Option<f64>,
}

/// The body types a file may come as.
const TYPES: [&str; 3] = ["text/csv", "text/plain", "application/json"];

/// Parses a load-test result into `(concurrency, throughput, latency)` points: one per run at a
/// steady concurrency, with warnings for what was left out. The file is the raw body.
#[utoipa::path(post, path = "/api/v1/measurements/parse", tag = "plan", params(ParseQuery),
    request_body(description = "The file as it is, up to 16 MiB", content(
        (String = "text/csv", example = "concurrency,throughput,latency_ms\n1,64.9,15.4\n18,995.9,18.1\n36,1652.4,21.8\n72,1853.2,38.9\n"),
        (String = "text/plain"),
        (String = "application/json"),
    )),
    responses(
        (status = 200, description = "The points, in the order of the file, and warnings", body = Parsed),
        (status = 413, description = "Over 16 MiB", body = ErrorBody),
        (status = 415, description = "Not text/csv, text/plain or application/json", body = ErrorBody),
        (status = 422, description = "An unknown `format`, a bad `concurrency`, or a file that cannot be read (`body`: the message names the line)", body = ErrorBody),
        (status = 503, description = "The work queue is full", body = ErrorBody),
    ))]
pub async fn parse_file(
    State(work): State<Arc<WorkPool>>,
    AppQuery(q): AppQuery<ParseQuery>,
    req: Request,
) -> Result<AppJson<Parsed>, AppError> {
    let media = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !TYPES.contains(&media.as_str()) {
        return Err(AppError::UnsupportedMediaType);
    }
    // Read here with the file's own limit (the API's is 1 MiB): a larger body is a 413.
    let body = axum::body::to_bytes(req.into_body(), MAX_FILE_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let options = Options {
        concurrency: match q.concurrency {
            Some(c) if !(c.is_finite() && c > 0.0 && c <= 1e9) => {
                return Err(ValidationError::new(
                    "concurrency",
                    Reason::OutOfRange {
                        min: 1e-9,
                        max: 1e9,
                    },
                )
                .into());
            }
            c => c,
        },
    };
    let text = String::from_utf8(body.to_vec()).map_err(|e| {
        ValidationError::new(
            "body",
            Reason::Unreadable(format!(
                "the file is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            )),
        )
    })?;
    let format = match q.format.as_deref() {
        Some(key) => Format::from_key(key).ok_or_else(|| {
            ValidationError::new(
                "format",
                Reason::NotOneOf {
                    got: key.to_owned(),
                    known: Format::ALL.iter().map(|f| f.key().to_owned()).collect(),
                },
            )
        })?,
        None => Format::detect("", &text).ok_or_else(|| {
            ValidationError::new(
                "format",
                Reason::Unreadable(
                    "the file's format is not recognised: name it (format=k6-json, k6-csv, \
                     jmeter, locust, wrk, hey, oha or csv)"
                        .to_owned(),
                ),
            )
        })?,
    };
    let parsed = work
        .run("the parse", move || parse::parse(format, &text, &options))
        .await?
        .map_err(|e| ValidationError::new("body", Reason::Unreadable(e.to_string())))?;
    Ok(AppJson(parsed))
}
