//! The server machine's own CPU, memory, load and network, so the Live page works with no set-up.
//! CPU usage and network rates are differences between two refreshes, so the first sample has
//! none of them.

use phaseplan_model::live::Metric;
use sysinfo::{Networks, System};

#[derive(Debug)]
pub struct HostSource {
    system: System,
    networks: Networks,
    last: Option<std::time::Instant>,
}

impl Default for HostSource {
    fn default() -> Self {
        Self::new()
    }
}

impl HostSource {
    pub fn new() -> Self {
        let mut system = System::new();
        system.refresh_cpu_usage();
        HostSource {
            system,
            networks: Networks::new_with_refreshed_list(),
            last: None,
        }
    }

    pub fn metrics() -> Vec<Metric> {
        vec![
            Metric::CpuPercent,
            Metric::MemoryPercent,
            Metric::Load1,
            Metric::NetworkRxBytesPerSecond,
            Metric::NetworkTxBytesPerSecond,
        ]
    }

    /// Reads the host; never fails (the OS always answers), but reports nothing it cannot read.
    pub fn sample(&mut self) -> Vec<(Metric, f64)> {
        let now = std::time::Instant::now();
        self.system.refresh_cpu_usage();
        self.system.refresh_memory();
        self.networks.refresh(true);
        let mut out = Vec::new();
        let elapsed = self.last.map(|l| now.duration_since(l).as_secs_f64());
        self.last = Some(now);
        if let Some(secs) = elapsed.filter(|s| *s > 0.0) {
            out.push((
                Metric::CpuPercent,
                f64::from(self.system.global_cpu_usage()),
            ));
            let (rx, tx) = self
                .networks
                .iter()
                .filter(|(name, _)| name.as_str() != "lo")
                .fold((0u64, 0u64), |(r, t), (_, n)| {
                    (r + n.received(), t + n.transmitted())
                });
            #[allow(clippy::cast_precision_loss)]
            {
                out.push((Metric::NetworkRxBytesPerSecond, rx as f64 / secs));
                out.push((Metric::NetworkTxBytesPerSecond, tx as f64 / secs));
            }
        }
        let total = self.system.total_memory();
        if total > 0 {
            #[allow(clippy::cast_precision_loss)]
            let used = 1.0 - self.system.available_memory() as f64 / total as f64;
            out.push((Metric::MemoryPercent, 100.0 * used));
        }
        out.push((Metric::Load1, System::load_average().one));
        out
    }
}
