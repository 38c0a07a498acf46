//! A CSV reader small enough for the browser's wasm (RFC 4180: quoted fields with commas,
//! doubled quotes and line breaks; `\r\n` or `\n`), and the plain `concurrency,throughput`
//! format built on it.

use std::borrow::Cow;

use super::{ParseError, Parsed, number, shorten};
use crate::measurements::Point;

/// Records of a CSV text: each with the line it starts on (from 1).
pub(crate) struct Records<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str) -> Records<'a> {
        Records {
            text,
            pos: 0,
            line: 1,
        }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<(usize, Vec<Cow<'a, str>>), ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        // Blank lines are no records.
        while self.pos < bytes.len() && (bytes[self.pos] == b'\n' || bytes[self.pos] == b'\r') {
            if bytes[self.pos] == b'\n' {
                self.line += 1;
            }
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        let start_line = self.line;
        let mut fields = Vec::new();
        // Where the last quoted field opened: a stray quote is blamed on its own line.
        let mut quote_line = start_line;
        loop {
            if bytes.get(self.pos) == Some(&b'"') {
                quote_line = self.line;
                // Quoted: up to the closing quote; `""` is a quote.
                let mut value = String::new();
                let mut from = self.pos + 1;
                let mut i = from;
                loop {
                    match bytes.get(i) {
                        None => {
                            return Some(Err(ParseError::at(
                                quote_line,
                                "a quoted field is never closed",
                            )));
                        }
                        Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                            value.push_str(&self.text[from..=i]);
                            i += 2;
                            from = i;
                        }
                        Some(b'"') => {
                            value.push_str(&self.text[from..i]);
                            i += 1;
                            break;
                        }
                        Some(b'\n') => {
                            self.line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
                fields.push(Cow::Owned(value));
                self.pos = i;
            } else {
                let rest = &bytes[self.pos..];
                let end = rest
                    .iter()
                    .position(|&b| b == b',' || b == b'\n' || b == b'\r')
                    .unwrap_or(rest.len());
                fields.push(Cow::Borrowed(&self.text[self.pos..self.pos + end]));
                self.pos += end;
            }
            match bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') | Some(b'\n') | None => {
                    if bytes.get(self.pos) == Some(&b'\r') {
                        self.pos += 1;
                    }
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                        self.line += 1;
                    }
                    return Some(Ok((start_line, fields)));
                }
                Some(_) => {
                    let closed = if self.line == quote_line {
                        String::new()
                    } else {
                        format!(" (it closes on line {})", self.line)
                    };
                    return Some(Err(ParseError::at(
                        quote_line,
                        format!(
                            "a quoted field is followed by more text before the next comma{closed}"
                        ),
                    )));
                }
            }
        }
    }
}

/// A header row: finds columns by name (case and surrounding spaces ignored).
pub(crate) struct Header {
    names: Vec<String>,
}

impl Header {
    pub fn new(fields: &[Cow<'_, str>]) -> Header {
        Header {
            names: fields
                .iter()
                .map(|f| f.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The column `name`, or an error on the header's line naming it and the columns there are.
    pub fn require(&self, line: usize, name: &str, format: &str) -> Result<usize, ParseError> {
        self.find(name).ok_or_else(|| {
            ParseError::at(
                line,
                format!(
                    "no column {name:?} in the header of this {format} file (columns: {})",
                    shorten(&self.names.join(", "))
                ),
            )
        })
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Field `i` of a record, or an error naming the line and the column.
pub(crate) fn field<'r>(
    line: usize,
    record: &'r [Cow<'_, str>],
    i: usize,
    name: &str,
) -> Result<&'r str, ParseError> {
    record.get(i).map(|c| c.as_ref()).ok_or_else(|| {
        ParseError::at(
            line,
            format!("the row has {} fields and no {name:?}", record.len()),
        )
    })
}

/// The plain format: a header with `concurrency`, `throughput` and optionally `latency_ms`, then
/// one row per run.
pub(crate) fn plain(text: &str) -> Result<Parsed, ParseError> {
    let mut records = Records::new(text);
    let (line, header) = records
        .next()
        .ok_or_else(|| ParseError::whole("the file is empty"))??;
    let h = Header::new(&header);
    let c = h.require(line, "concurrency", "CSV")?;
    let x = h.require(line, "throughput", "CSV")?;
    let l = h.find("latency_ms");
    let mut out = Parsed::default();
    let ignored: Vec<&String> = h
        .names()
        .iter()
        .filter(|n| !["concurrency", "throughput", "latency_ms"].contains(&n.as_str()))
        .collect();
    if !ignored.is_empty() {
        out.warnings.push(format!(
            "columns left out: {}",
            shorten(
                &ignored
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ));
    }
    for record in records {
        let (line, r) = record?;
        let concurrency = number(line, "concurrency", field(line, &r, c, "concurrency")?)?;
        let throughput = number(line, "throughput", field(line, &r, x, "throughput")?)?;
        let latency_ms = match l.and_then(|i| r.get(i)).map(|v| v.trim()) {
            None | Some("") => None,
            Some(v) => Some(number(line, "latency_ms", v)?),
        };
        if concurrency <= 0.0 || throughput <= 0.0 {
            return Err(ParseError::at(
                line,
                "concurrency and throughput must be above 0",
            ));
        }
        out.points.push(Point {
            concurrency,
            throughput,
            latency_ms,
            latency_percentiles_ms: None,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
        Records::new(text)
            .map(|r| {
                let (l, f) = r.unwrap();
                (l, f.into_iter().map(Cow::into_owned).collect())
            })
            .collect()
    }

    #[test]
    fn quotes_commas_and_line_breaks_inside_fields() {
        let got = rows("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n1,\"two\nlines\"\n3,\n");
        assert_eq!(got[0], (1, vec!["a".into(), "b".into()]));
        assert_eq!(got[1], (2, vec!["x, y".into(), "say \"hi\"".into()]));
        assert_eq!(got[2], (4, vec!["1".into(), "two\nlines".into()]));
        assert_eq!(got[3], (6, vec!["3".into(), String::new()]));
        let e = Records::new("a\n\"open\n").nth(1).unwrap().unwrap_err();
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn the_plain_format_names_the_line_of_a_bad_value() {
        let ok = plain("Concurrency, Throughput ,latency_ms\n1,100,5\n2,190,\n").unwrap();
        assert_eq!(ok.points.len(), 2);
        assert_eq!(ok.points[0].latency_ms, Some(5.0));
        assert_eq!(ok.points[1].latency_ms, None);
        let e = plain("concurrency,throughput\n1,100\n2,lots\n").unwrap_err();
        assert_eq!(e.to_string(), "line 3: throughput \"lots\" is not a number");
        let e = plain("users,rps\n1,2\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 1: no column \"concurrency\""),
            "{e}"
        );
        let e = plain("concurrency,throughput\n1\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = plain("concurrency,throughput\n0,5\n").unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
