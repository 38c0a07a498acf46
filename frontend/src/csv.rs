//! CSV exports: the same numbers as the tables and charts, for spreadsheets.

use phaseplan_model::evaluate::Evaluation;

/// A CSV field, quoted when it needs to be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The month-by-month plan: date, peak users, required phase, then the monthly cost of every
/// provider (USD), and the scenario provider's running total and cost per user.
pub fn timeline_csv(e: &Evaluation, phase_names: &[String]) -> String {
    let chosen = e.providers.iter().find(|p| p.provider == e.provider);
    let mut out = String::from("month,date,peak_users,phase");
    for p in &e.providers {
        out.push(',');
        out.push_str(&field(&format!("{} usd", p.name)));
    }
    out.push_str(",cumulative_usd,cost_per_user_usd\n");
    for (i, m) in e.timeline.months.iter().enumerate() {
        let phase = phase_names.get(m.phase_index).map_or("", String::as_str);
        out.push_str(&format!(
            "{},{}-{:02},{:.0},{}",
            m.month,
            m.year,
            m.calendar_month,
            m.users,
            field(phase)
        ));
        for p in &e.providers {
            out.push_str(&format!(
                ",{:.2}",
                p.monthly_usd.get(i).copied().unwrap_or(0.0)
            ));
        }
        let cumulative = chosen.and_then(|p| p.cumulative_usd.get(i)).copied();
        let per_user = chosen.and_then(|p| p.cost_per_user_usd.get(i).copied().flatten());
        out.push_str(&format!(
            ",{},{}\n",
            cumulative.map_or_else(String::new, |c| format!("{c:.2}")),
            per_user.map_or_else(String::new, |c| format!("{c:.4}"))
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
}
