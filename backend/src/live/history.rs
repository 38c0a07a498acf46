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
}
