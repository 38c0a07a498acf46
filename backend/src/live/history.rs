//! A bounded history per metric: at most `capacity` points (24 h at the sampling interval by
//! default), the oldest dropped first, so memory never grows with uptime.

use std::collections::{BTreeMap, VecDeque};

use phaseplan_model::live::{Metric, Series};

#[derive(Debug)]
pub struct History {
    capacity: usize,
    series: BTreeMap<Metric, VecDeque<(f64, f64)>>,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        History {
            capacity: capacity.max(1),
            series: BTreeMap::new(),
        }
    }

    pub fn push(&mut self, metric: Metric, at: f64, value: f64) {
        let s = self.series.entry(metric).or_default();
        if s.len() == self.capacity {
            s.pop_front();
        }
        s.push_back((at, value));
    }

    /// Adds older points of `metric` (oldest first) before the ones it holds: those before its
    /// first point, keeping the newest `capacity` in all.
    pub fn backfill(&mut self, metric: Metric, points: &[(f64, f64)]) {
        let s = self.series.entry(metric).or_default();
        let first = s.front().map_or(f64::INFINITY, |p| p.0);
        let older = points.partition_point(|(t, _)| *t < first);
        let room = self.capacity.saturating_sub(s.len());
        for p in points[older.saturating_sub(room)..older].iter().rev() {
            s.push_front(*p);
        }
    }

    /// Points of `metric` at or after `since` (unix seconds), oldest first.
    pub fn since(&self, metric: Metric, since: f64) -> Vec<(f64, f64)> {
        self.series.get(&metric).map_or_else(Vec::new, |s| {
            let start = s.partition_point(|(t, _)| *t < since);
            s.range(start..).copied().collect()
        })
    }

    /// Every series the live analysis reads, at or after `since`.
    pub fn series(&self, metrics: &[Metric], since: f64) -> Series {
        metrics
            .iter()
            .map(|m| (*m, self.since(*m, since)))
            .filter(|(_, points)| !points.is_empty())
            .collect()
    }

    pub fn len(&self, metric: Metric) -> usize {
        self.series.get(&metric).map_or(0, VecDeque::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_points_up_to_its_capacity() {
        let mut h = History::new(3);
        for t in 0..5 {
            h.push(Metric::CpuPercent, f64::from(t), f64::from(t) * 10.0);
        }
        assert_eq!(h.len(Metric::CpuPercent), 3);
        assert_eq!(
            h.since(Metric::CpuPercent, 0.0),
            vec![(2.0, 20.0), (3.0, 30.0), (4.0, 40.0)]
        );
        assert_eq!(h.since(Metric::CpuPercent, 3.5), vec![(4.0, 40.0)]);
        assert!(h.since(Metric::MemoryPercent, 0.0).is_empty());
    }

    #[test]
    fn a_backfill_goes_before_what_is_held_and_keeps_the_newest() {
        let mut h = History::new(4);
        h.push(Metric::CpuPercent, 10.0, 1.0);
        h.push(Metric::CpuPercent, 11.0, 2.0);
        // 9 and 10 overlap what is held: only what came before 10 is added, newest first,
        // until the capacity (4) is reached.
        h.backfill(
            Metric::CpuPercent,
            &[(6.0, 6.0), (7.0, 7.0), (8.0, 8.0), (9.0, 9.0), (10.0, 99.0)],
        );
        assert_eq!(
            h.since(Metric::CpuPercent, 0.0),
            vec![(8.0, 8.0), (9.0, 9.0), (10.0, 1.0), (11.0, 2.0)]
        );
        h.backfill(Metric::MemoryPercent, &[(1.0, 5.0)]);
        assert_eq!(h.since(Metric::MemoryPercent, 0.0), vec![(1.0, 5.0)]);
    }
}
