//! CSV exports: the same numbers as the tables and charts, for spreadsheets.

use phaseplan_model::evaluate::Evaluation;

/// A field as RFC 4180 §2 writes it: in double quotes, with inner quotes doubled, when it holds
/// a comma, a quote or a line break (CR or LF); as it is otherwise.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        quoted(s)
    } else {
        s.to_owned()
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A text cell (a provider or phase name, which a shared link can set): [`field`], plus
/// OWASP's defence against CSV injection ("CSV Injection", OWASP community pages): a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a formula by
/// spreadsheets, so it gets a leading `'` (shown as text, not evaluated) and is quoted.
///
/// Only for text: numbers the export formats itself ([`number`]) stay numbers, minus sign
/// included.
fn text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        quoted(&format!("'{s}"))
    } else {
        field(s)
    }
}

/// A number cell with `decimals` decimals, as the spreadsheet should read it (no defence: `-3.50`
/// is a negative number, not a formula).
fn number(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// The month-by-month plan: date, peak users, required phase, then the monthly cost of every
/// provider (USD), and the scenario provider's running total and cost per user.
pub fn timeline_csv(e: &Evaluation, phase_names: &[String]) -> String {
    let chosen = e.providers.iter().find(|p| p.provider == e.provider);
    let mut out = String::from("month,date,peak_users,phase");
    for p in &e.providers {
        out.push(',');
        out.push_str(&text(&format!("{} usd", p.name)));
    }
    out.push_str(",cumulative_usd,cost_per_user_usd\n");
    for (i, m) in e.timeline.months.iter().enumerate() {
        let phase = phase_names.get(m.phase_index).map_or("", String::as_str);
        out.push_str(&format!(
            "{},{}-{:02},{},{}",
            m.month,
            m.year,
            m.calendar_month,
            number(m.users, 0),
            text(phase)
        ));
        for p in &e.providers {
            out.push(',');
            out.push_str(&number(p.monthly_usd.get(i).copied().unwrap_or(0.0), 2));
        }
        let cumulative = chosen.and_then(|p| p.cumulative_usd.get(i)).copied();
        let per_user = chosen.and_then(|p| p.cost_per_user_usd.get(i).copied().flatten());
        out.push_str(&format!(
            ",{},{}\n",
            cumulative.map_or_else(String::new, |c| number(c, 2)),
            per_user.map_or_else(String::new, |c| number(c, 4))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::cost::catalog::Catalog;
    use phaseplan_model::evaluate::evaluate;
    use phaseplan_model::presets::preset;

    #[test]
    fn one_row_per_month_with_every_provider() {
        let mut s = preset("ride-hailing").unwrap().scenario;
        let mut u = s.default_uncertainty();
        u.paths = 100;
        s.uncertainty = Some(u);
        let e = evaluate(
            &s.clone().validate().unwrap(),
            &Catalog::built_in().unwrap(),
        );
        let names: Vec<String> = s.phases.iter().map(|p| p.name.clone()).collect();
        let csv = timeline_csv(&e, &names);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 37);
        assert!(lines[0].starts_with("month,date,peak_users,phase,AWS usd,"));
        let first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(first.len(), 4 + 6 + 2);
        assert_eq!(&first[..4], ["0", "2027-01", "1310", "Launch"]);
        assert_eq!(first[4], format!("{:.2}", e.providers[0].monthly_usd[0]));
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(field("Launch"), "Launch");
        assert_eq!(field("a\r\nb"), "\"a\r\nb\"");
        assert_eq!(field("a\rb"), "\"a\rb\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
    }

    #[test]
    fn text_cells_cannot_become_formulas_but_numbers_stay_numbers() {
        for (cell, want) in [
            ("=1+2", "\"'=1+2\""),
            ("+1", "\"'+1\""),
            ("-2+3", "\"'-2+3\""),
            ("@SUM(A1)", "\"'@SUM(A1)\""),
            ("\t=1", "\"'\t=1\""),
            ("\r=1", "\"'\r=1\""),
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            ),
            ("Scale = 15k", "Scale = 15k"),
            ("a,=1", "\"a,=1\""),
        ] {
            assert_eq!(text(cell), want, "{cell:?}");
        }
        // The export's own numbers, negative ones included, are written as numbers.
        assert_eq!(number(-3.5, 2), "-3.50");
        assert_eq!(number(-1_310.4, 0), "-1310");
        assert_eq!(number(0.00012, 4), "0.0001");
    }

    #[test]
    fn a_formula_in_a_phase_name_is_text_in_the_export() {
        let mut s = preset("ride-hailing").unwrap().scenario;
        let mut u = s.default_uncertainty();
        u.paths = 100;
        s.uncertainty = Some(u);
        let e = evaluate(
            &s.clone().validate().unwrap(),
            &Catalog::built_in().unwrap(),
        );
        let names = vec!["=cmd|' /C calc'!A0".to_owned(); 4];
        let csv = timeline_csv(&e, &names);
        let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(row[3], "\"'=cmd|' /C calc'!A0\"");
        // Every other cell of every row is a number (or empty), written as such.
        for line in csv.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            for c in cells.iter().take(3).chain(&cells[4..]) {
                assert!(
                    c.is_empty() || c.replace('-', "").parse::<f64>().is_ok(),
                    "{c:?} in {line}"
                );
            }
        }
    }
}
