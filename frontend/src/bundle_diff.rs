//! What changes between two bundles (two phases on one provider): per file added, removed or
//! changed with its line counts, the monthly cost difference, and a unified line diff of a file.

use phaseplan_model::bundle::Bundle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    Added,
    Removed,
    Changed { added: usize, removed: usize },
    Same,
}

impl FileChange {
    pub fn label(self) -> String {
        match self {
            FileChange::Added => "new".to_owned(),
            FileChange::Removed => "removed".to_owned(),
            FileChange::Changed { added, removed } => format!("+{added} −{removed}"),
            FileChange::Same => String::new(),
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            FileChange::Added => "added",
            FileChange::Removed => "removed",
            FileChange::Changed { .. } => "changed",
            FileChange::Same => "same",
        }
    }
}

/// Every path of either bundle, sorted, with how it changes from `old` to `new`.
pub fn compare(old: &Bundle, new: &Bundle) -> Vec<(String, FileChange)> {
    let mut paths: Vec<&str> = old
        .files
        .iter()
        .chain(&new.files)
        .map(|f| f.path.as_str())
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .map(|p| {
            let change = match (old.file(p), new.file(p)) {
                (None, Some(_)) => FileChange::Added,
                (Some(_), None) => FileChange::Removed,
                (Some(a), Some(b)) if a.contents == b.contents => FileChange::Same,
                (Some(a), Some(b)) => {
                    let (mut added, mut removed) = (0, 0);
                    for line in line_diff(&a.contents, &b.contents) {
                        match line {
                            DiffLine::Added(_) => added += 1,
                            DiffLine::Removed(_) => removed += 1,
                            DiffLine::Same(_) | DiffLine::Gap => {}
                        }
                    }
                    FileChange::Changed { added, removed }
                }
                (None, None) => FileChange::Same,
            };
            (p.to_owned(), change)
        })
        .collect()
}

/// One line of a unified diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// A gap between hunks.
    Gap,
    Same(String),
    Added(String),
    Removed(String),
}

/// The line diff of two texts (lines as `str::lines` sees them: a final newline ends the last
/// line, it does not start an empty one), as the diff lines of [`unified`] without grouping.
fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    diff::slice(&a, &b)
        .into_iter()
        .map(|c| match c {
            diff::Result::Both(l, _) => DiffLine::Same((*l).to_owned()),
            diff::Result::Right(l) => DiffLine::Added((*l).to_owned()),
            diff::Result::Left(l) => DiffLine::Removed((*l).to_owned()),
        })
        .collect()
}

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

/// The changed lines of `old` → `new` with three lines of context around each change.
pub fn unified(old: &str, new: &str) -> Vec<DiffLine> {
    let lines = line_diff(old, new);
    // Keep a line when a change is within CONTEXT lines of it; a run of dropped lines between
    // kept ones becomes one gap.
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(l, DiffLine::Same(_)))
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| {
        let first = changed.partition_point(|&c| c + CONTEXT < i);
        changed.get(first).is_some_and(|&c| c <= i + CONTEXT)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (i, line) in lines.into_iter().enumerate() {
        if near(i) {
            if skipped && !out.is_empty() {
                out.push(DiffLine::Gap);
            }
            skipped = false;
            out.push(line);
        } else {
            skipped = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::bundle::generate;
    use phaseplan_model::cost::catalog::{Catalog, ProviderId};
    use phaseplan_model::presets::default_preset;

    fn bundle(phase: &str) -> Bundle {
        let s = default_preset().scenario.validate().unwrap();
        generate(&s, &Catalog::built_in().unwrap(), phase, ProviderId::Aws).unwrap()
    }

    #[test]
    fn launch_to_growth_adds_pgbouncer_and_sentinel_and_drops_compose() {
        let changes = compare(&bundle("launch"), &bundle("growth"));
        let of = |p: &str| changes.iter().find(|(q, _)| q == p).map(|(_, c)| *c);
        assert_eq!(of("postgres/pgbouncer.ini"), Some(FileChange::Added));
        assert_eq!(of("redis/sentinel.conf"), Some(FileChange::Added));
        assert_eq!(of("docker-compose.yml"), Some(FileChange::Removed));
        assert!(
            matches!(of(".env"), Some(FileChange::Changed { added, removed }) if added > 0 && removed > 0)
        );
    }

    #[test]
    fn a_unified_diff_shows_the_changed_lines_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n";
        let d = unified(old, new);
        assert!(d.contains(&DiffLine::Removed("e".to_owned())));
        assert!(d.contains(&DiffLine::Added("E".to_owned())));
        assert_eq!(
            d.iter().filter(|l| matches!(l, DiffLine::Same(_))).count(),
            6
        );
        assert!(unified(old, old).is_empty());
    }

    #[test]
    fn distant_changes_are_two_hunks_with_one_gap() {
        let old: String = (0..20).map(|i| format!("l{i}\n")).collect();
        let new = old.replace("l2\n", "X\n").replace("l17\n", "Y\n");
        let d = unified(&old, &new);
        assert_eq!(d.iter().filter(|l| **l == DiffLine::Gap).count(), 1);
        let same: Vec<&str> = d
            .iter()
            .filter_map(|l| match l {
                DiffLine::Same(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            same,
            [
                "l0", "l1", "l3", "l4", "l5", "l14", "l15", "l16", "l18", "l19"
            ]
        );
        assert_eq!(d.first(), Some(&DiffLine::Same("l0".to_owned())));
    }
}
