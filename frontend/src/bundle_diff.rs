//! What changes between two bundles (two phases on one provider): per file added, removed or
//! changed with its line counts, the monthly cost difference, and a unified line diff of a file.

use phaseplan_model::bundle::Bundle;
use similar::{ChangeTag, TextDiff};

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
                    for c in TextDiff::from_lines(&a.contents, &b.contents).iter_all_changes() {
                        match c.tag() {
                            ChangeTag::Insert => added += 1,
                            ChangeTag::Delete => removed += 1,
                            ChangeTag::Equal => {}
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

/// The changed lines of `old` → `new` with three lines of context around each change.
pub fn unified(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for (i, group) in diff.grouped_ops(3).iter().enumerate() {
        if i > 0 {
            out.push(DiffLine::Gap);
        }
        for op in group {
            for c in diff.iter_changes(op) {
                let text = c.value().trim_end_matches('\n').to_owned();
                out.push(match c.tag() {
                    ChangeTag::Equal => DiffLine::Same(text),
                    ChangeTag::Insert => DiffLine::Added(text),
                    ChangeTag::Delete => DiffLine::Removed(text),
                });
            }
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
}
