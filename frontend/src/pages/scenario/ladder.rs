//! The phase ladder editor: every phase's design size, components and alert thresholds, plus
//! adding and removing phases. Paths follow the model's (`phases[1].database.pool_size`), so its
//! validation lands under the right input.

use std::sync::Arc;

use leptos::prelude::*;
use phaseplan_model::scenario::Scenario;
use phaseplan_model::{Band, CacheMode, Phase, SEED_DEPARTURES, Thresholds};

use super::fields::real;
use crate::state::use_plan;
use crate::widgets::field::{Field, NumberField, Toggle, ToggleField, whole};

/// A field of phase `i`: `phase_num!(i, "app.vcpu", label, unit, step, help, conv, |p| place)`.
/// Reads through `get` so a field of a phase being removed reads nothing instead of panicking.
macro_rules! phase_num {
    ($i:expr, $sub:literal, $label:literal, $unit:literal, $step:literal, $help:literal, $conv:path, |$p:ident| $place:expr) => {{
        let i: usize = $i;
        Field {
            path: format!("phases[{i}].{}", $sub),
            label: $label,
            unit: $unit,
            help: $help,
            step: $step,
            get: Arc::new(move |s: &Scenario| {
                s.phases.get(i).map_or(f64::NAN, |$p| f64::from($place))
            }),
            set: Arc::new(move |s: &mut Scenario, v: f64| {
                let $p = s
                    .phases
                    .get_mut(i)
                    .ok_or_else(|| "this phase was removed".to_owned())?;
                $place = $conv(v)?;
                Ok(())
            }),
        }
    }};
}

macro_rules! phase_flag {
    ($i:expr, $sub:literal, $label:literal, $help:literal, |$p:ident| $place:expr) => {{
        let i: usize = $i;
        Toggle {
            path: format!("phases[{i}].{}", $sub),
            label: $label,
            help: $help,
            get: Arc::new(move |s: &Scenario| s.phases.get(i).is_some_and(|$p| $place)),
            set: Arc::new(move |s: &mut Scenario, on: bool| {
                if let Some($p) = s.phases.get_mut(i) {
                    $place = on;
                }
            }),
        }
    }};
}

/// Which end of a threshold band a field edits.
#[derive(Clone, Copy)]
enum End {
    Warning,
    Critical,
}

/// A threshold field. A band whose warning would reach its critical level cannot exist
/// ([`Band::new`]), so such a value is explained and not applied.
fn threshold(i: usize, which: &'static str, end: End, label: &'static str) -> Field {
    fn band<'t>(t: &'t mut Thresholds, which: &str) -> Option<&'t mut Band> {
        match which {
            "capacity" => Some(&mut t.capacity),
            "cpu" => Some(&mut t.cpu),
            "memory" => Some(&mut t.memory),
            "connections" => Some(&mut t.connections),
            _ => None,
        }
    }
    let end_name = match end {
        End::Warning => "warning",
        End::Critical => "critical",
    };
    let path = format!("phases[{i}].thresholds.{which}.{end_name}");
    let err_path = path.clone();
    Field {
        path,
        label,
        unit: "%",
        help: match end {
            End::Warning => "Alert level: plan the next step.",
            End::Critical => "Page someone: the phase is nearly full.",
        },
        step: "1",
        get: Arc::new(move |s: &Scenario| {
            s.phases.get(i).map_or(f64::NAN, |p| {
                let mut t = p.thresholds;
                band(&mut t, which).map_or(f64::NAN, |b| match end {
                    End::Warning => b.warning(),
                    End::Critical => b.critical(),
                })
            })
        }),
        set: Arc::new(move |s: &mut Scenario, v: f64| {
            let p = s
                .phases
                .get_mut(i)
                .ok_or_else(|| "this phase was removed".to_owned())?;
            let b = band(&mut p.thresholds, which).ok_or_else(|| "unknown threshold".to_owned())?;
            let (w, c) = match end {
                End::Warning => (v, b.critical()),
                End::Critical => (b.warning(), v),
            };
            *b = Band::new(&err_path, w, c).map_err(|e| e.reason.to_string())?;
            Ok(())
        }),
    }
}

fn groups(i: usize) -> Vec<(&'static str, Vec<Field>, Vec<Toggle>)> {
    vec![
        (
            "Size",
            vec![
                phase_num!(
                    i,
                    "max_users",
                    "Design target",
                    "users",
                    "100",
                    "Peak concurrent users the phase is built for; must grow phase by phase.",
                    whole,
                    |p| p.max_users
                ),
                phase_num!(
                    i,
                    "websocket_connections",
                    "WebSockets",
                    "connections",
                    "100",
                    "Concurrent WebSockets the phase accepts.",
                    whole,
                    |p| p.websocket_connections
                ),
            ],
            vec![phase_flag!(
                i,
                "kubernetes",
                "Runs on Kubernetes",
                "The app tier scales with a HorizontalPodAutoscaler between min and max.",
                |p| p.kubernetes
            )],
        ),
        (
            "App tier",
            vec![
                phase_num!(
                    i,
                    "app.vcpu",
                    "vCPU per instance",
                    "vCPU",
                    "1",
                    "Cores of each app instance.",
                    whole,
                    |p| p.app.vcpu
                ),
                phase_num!(
                    i,
                    "app.memory_gib",
                    "Memory per instance",
                    "GiB",
                    "1",
                    "Memory of each app instance.",
                    real,
                    |p| p.app.memory_gib
                ),
                phase_num!(
                    i,
                    "app.min_instances",
                    "Min instances",
                    "instances",
                    "1",
                    "Instances always running.",
                    whole,
                    |p| p.app.min_instances
                ),
                phase_num!(
                    i,
                    "app.max_instances",
                    "Max instances",
                    "instances",
                    "1",
                    "The autoscaler's ceiling.",
                    whole,
                    |p| p.app.max_instances
                ),
            ],
            vec![],
        ),
        (
            "Database",
            vec![
                phase_num!(
                    i,
                    "database.vcpu",
                    "vCPU per node",
                    "vCPU",
                    "1",
                    "Cores of each PostgreSQL node.",
                    whole,
                    |p| p.database.vcpu
                ),
                phase_num!(
                    i,
                    "database.memory_gib",
                    "Memory per node",
                    "GiB",
                    "1",
                    "Memory of each node (sizes shared_buffers).",
                    real,
                    |p| p.database.memory_gib
                ),
                phase_num!(
                    i,
                    "database.storage_gb",
                    "Storage per node",
                    "GB",
                    "10",
                    "Disk of each node.",
                    whole,
                    |p| p.database.storage_gb
                ),
                phase_num!(
                    i,
                    "database.max_connections",
                    "max_connections",
                    "per node",
                    "10",
                    "PostgreSQL's connection limit on each node.",
                    whole,
                    |p| p.database.max_connections
                ),
                phase_num!(
                    i,
                    "database.pool_size",
                    "Pool size",
                    "connections",
                    "10",
                    "Server connections the app or PgBouncer keeps per node (≤ max_connections).",
                    whole,
                    |p| p.database.pool_size
                ),
                phase_num!(
                    i,
                    "database.read_replicas",
                    "Read replicas",
                    "per shard",
                    "1",
                    "Replicas that serve reads.",
                    whole,
                    |p| p.database.read_replicas
                ),
                phase_num!(
                    i,
                    "database.shards",
                    "Shards",
                    "primaries",
                    "1",
                    "Horizontal partitions, each with its own primary.",
                    whole,
                    |p| p.database.shards
                ),
            ],
            vec![
                phase_flag!(
                    i,
                    "database.pgbouncer",
                    "PgBouncer",
                    "Transaction pooling in front of each node.",
                    |p| p.database.pgbouncer
                ),
                phase_flag!(
                    i,
                    "database.high_availability",
                    "High availability",
                    "A hot standby per primary with automatic failover.",
                    |p| p.database.high_availability
                ),
            ],
        ),
        (
            "Cache and proxy",
            vec![
                phase_num!(
                    i,
                    "cache.memory_mib",
                    "Redis memory",
                    "MiB per node",
                    "128",
                    "maxmemory of each Redis node (per shard in a cluster).",
                    whole,
                    |p| p.cache.memory_mib
                ),
                phase_num!(
                    i,
                    "cache.shards",
                    "Redis shards",
                    "primaries",
                    "1",
                    "1 for standard and Sentinel; at least 3 for a cluster.",
                    whole,
                    |p| p.cache.shards
                ),
                phase_num!(
                    i,
                    "load_balancer.nginx_worker_processes",
                    "nginx workers",
                    "processes",
                    "1",
                    "nginx worker_processes.",
                    whole,
                    |p| p.load_balancer.nginx_worker_processes
                ),
                phase_num!(
                    i,
                    "load_balancer.nginx_worker_connections",
                    "Worker connections",
                    "each",
                    "256",
                    "nginx worker_connections.",
                    whole,
                    |p| p.load_balancer.nginx_worker_connections
                ),
            ],
            vec![
                phase_flag!(
                    i,
                    "load_balancer.managed",
                    "Managed load balancer",
                    "The provider's load balancer in front of nginx.",
                    |p| p.load_balancer.managed
                ),
                phase_flag!(
                    i,
                    "load_balancer.sticky_sessions",
                    "Sticky sessions",
                    "Pin a client to one instance (per-instance WebSocket state).",
                    |p| p.load_balancer.sticky_sessions
                ),
            ],
        ),
        (
            "Alert thresholds",
            vec![
                threshold(i, "capacity", End::Warning, "Capacity warning"),
                threshold(i, "capacity", End::Critical, "Capacity critical"),
                threshold(i, "cpu", End::Warning, "CPU warning"),
                threshold(i, "cpu", End::Critical, "CPU critical"),
                threshold(i, "memory", End::Warning, "Memory warning"),
                threshold(i, "memory", End::Critical, "Memory critical"),
                threshold(i, "connections", End::Warning, "DB connections warning"),
                threshold(i, "connections", End::Critical, "DB connections critical"),
            ],
            vec![],
        ),
    ]
}

fn mode_key(m: CacheMode) -> &'static str {
    match m {
        CacheMode::Standard => "standard",
        CacheMode::Sentinel => "sentinel",
        CacheMode::Cluster => "cluster",
    }
}

/// A new top rung: the last phase, twice as large, with a fresh key.
pub fn next_phase(phases: &[Phase]) -> Option<Phase> {
    let last = phases.last()?;
    let n = phases.len() + 1;
    let mut key = format!("phase-{n}");
    let mut k = n;
    while phases.iter().any(|p| p.key == key) {
        k += 1;
        key = format!("phase-{k}");
    }
    Some(Phase {
        key,
        name: format!("Phase {n}"),
        max_users: last.max_users.saturating_mul(2),
        ..last.clone()
    })
}

#[component]
fn PhaseEditor(index: usize) -> impl IntoView {
    let state = use_plan();
    let i = index;
    let name = move || {
        state
            .scenario
            .with(|s| s.phases.get(i).map(|p| p.name.clone()).unwrap_or_default())
    };
    let summary = move || {
        state.scenario.with(|s| {
            s.phases
                .get(i)
                .map(|p| {
                    format!(
                        "up to {} users",
                        crate::format::thousands(f64::from(p.max_users))
                    )
                })
                .unwrap_or_default()
        })
    };
    let count = Memo::new(move |_| state.scenario.with(|s| s.phases.len()));
    let name_path = format!("phases[{i}].name");
    let mode_path = format!("phases[{i}].cache.mode");
    let remove = move |_| {
        state.edit("phases", move |s| {
            if s.phases.len() > 1 && i < s.phases.len() {
                s.phases.remove(i);
            }
        });
    };
    view! {
        <details class="phase-editor" open=i == 0 data-testid=format!("phase-editor-{i}")>
            <summary>
                <span class="phase-name">{name}</span>
                <span class="muted">{summary}</span>
            </summary>
            <div class="phase-body">
                <div class="fields">
                    <div class="field">
                        <label for=format!("f-phases-{i}-name")>"Name"</label>
                        <input
                            id=format!("f-phases-{i}-name")
                            type="text"
                            maxlength="60"
                            data-testid=name_path.clone()
                            prop:value=name
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                state.edit(&name_path, move |s| {
                                    if let Some(p) = s.phases.get_mut(i) {
                                        p.name = v;
                                    }
                                });
                            }
                        />
                    </div>
                    <div class="field">
                        <label for=format!("f-phases-{i}-cache-mode")>"Redis mode"</label>
                        <select
                            id=format!("f-phases-{i}-cache-mode")
                            data-testid=mode_path.clone()
                            prop:value=move || state.scenario.with(|s| s.phases.get(i).map_or("", |p| mode_key(p.cache.mode)))
                            on:change=move |ev| {
                                let mode = match event_target_value(&ev).as_str() {
                                    "sentinel" => CacheMode::Sentinel,
                                    "cluster" => CacheMode::Cluster,
                                    _ => CacheMode::Standard,
                                };
                                state.edit(&mode_path, move |s| {
                                    if let Some(p) = s.phases.get_mut(i) {
                                        p.cache.mode = mode;
                                    }
                                });
                            }
                        >
                            <option value="standard">"Standard (one node)"</option>
                            <option value="sentinel">"Sentinel (failover)"</option>
                            <option value="cluster">"Cluster (sharded)"</option>
                        </select>
                    </div>
                </div>
                <SeedNotes index=i />
                {groups(i)
                    .into_iter()
                    .map(|(title, fields, toggles)| {
                        view! {
                            <h3>{title}</h3>
                            <div class="fields">
                                {fields.into_iter().map(|f| view! { <NumberField field=f /> }).collect_view()}
                                {toggles.into_iter().map(|t| view! { <ToggleField toggle=t /> }).collect_view()}
                            </div>
                        }
                    })
                    .collect_view()}
                <button
                    type="button"
                    class="secondary"
                    data-testid=format!("remove-phase-{i}")
                    disabled=move || { count.get() <= 1 }
                    on:click=remove
                >
                    "Remove this phase"
                </button>
            </div>
        </details>
    }
}

/// Where this phase keeps a value of the built-in ladder that departs from the seed documents:
/// the seeds' figure, ours, and why (from [`SEED_DEPARTURES`]). A value the user changed is
/// theirs, and its note goes.
#[component]
fn SeedNotes(index: usize) -> impl IntoView {
    let state = use_plan();
    let notes = move || {
        state.scenario.with(|s| {
            let Some(phase) = s.phases.get(index) else {
                return Vec::new();
            };
            let value = serde_json::to_value(phase).unwrap_or_default();
            SEED_DEPARTURES
                .iter()
                .filter(|d| d.phase == phase.key)
                .filter(|d| {
                    d.field.split('.').fold(&value, |v, key| &v[key]).as_f64() == Some(d.here)
                })
                .copied()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !notes().is_empty()>
            <ul class="seed-notes">
                {move || {
                    notes()
                        .into_iter()
                        .map(|d| {
                            view! {
                                <li data-testid="seed-departure" data-field=format!("phases[{index}].{}", d.field)>
                                    {format!("{}: seed {}; {} here because {}.", field_label(d.field), d.seed, d.here_text, d.why)}
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}

/// The editor's label of a phase field path.
fn field_label(field: &str) -> &'static str {
    match field {
        "cache.memory_mib" => "Redis memory",
        "load_balancer.nginx_worker_connections" => "nginx worker connections",
        _ => "This value",
    }
}

/// The whole ladder, one collapsible editor per phase.
#[component]
pub fn LadderEditor() -> impl IntoView {
    let state = use_plan();
    let count = Memo::new(move |_| state.scenario.with(|s| s.phases.len()));
    let add = move |_: leptos::ev::MouseEvent| {
        state.edit("phases", |s| {
            if let Some(p) = next_phase(&s.phases) {
                s.phases.push(p);
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="group-phases">
            <h2 id="group-phases">"Phases"</h2>
            <p class="hint">
                "The ladder the platform climbs: what each phase runs and when its alerts fire. "
                "Capacities must grow from phase to phase."
            </p>
            <div class="phase-list">
                {move || (0..count.get()).map(|i| view! { <PhaseEditor index=i /> }).collect_view()}
            </div>
            <button type="button" class="secondary" data-testid="add-phase" disabled=move || { count.get() >= 12 } on:click=add>
                "Add a phase"
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::presets::default_preset;

    #[test]
    fn every_phase_field_writes_where_its_path_says() {
        let base = default_preset().scenario;
        for i in 0..base.phases.len() {
            for (_, fields, _) in groups(i) {
                for f in fields {
                    let mut s = base.clone();
                    let before = (f.get)(&s);
                    assert!(before.is_finite(), "{}", f.path);
                    // A huge value is out of range for nearly every field; the model names this
                    // field, or the next phase's design target when this one outgrows it.
                    if (f.set)(&mut s, 1e9).is_err() {
                        continue;
                    }
                    assert!(((f.get)(&s) - 1e9).abs() < 1.0, "{} not written", f.path);
                    if let Err(e) = s.clone().validate() {
                        assert!(
                            e.field == f.path || e.field == format!("phases[{}].max_users", i + 1),
                            "{} reported as {}",
                            f.path,
                            e.field
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_warning_above_its_critical_level_is_refused_not_stored() {
        let mut s = default_preset().scenario;
        let f = threshold(0, "cpu", End::Warning, "CPU warning");
        let err = (f.set)(&mut s, 99.0);
        assert!(err.is_err());
        assert_eq!(s, default_preset().scenario);
        assert!((f.set)(&mut s, 50.0).is_ok());
        assert!(((f.get)(&s) - 50.0).abs() < 1e-9);
    }

    #[test]
    fn a_removed_phase_reads_nothing_and_refuses_writes() {
        let mut s = default_preset().scenario;
        let f = phase_num!(9, "app.vcpu", "v", "u", "1", "h", whole, |p| p.app.vcpu);
        assert!((f.get)(&s).is_nan());
        assert!((f.set)(&mut s, 2.0).is_err());
    }

    #[test]
    fn an_added_phase_is_larger_with_a_fresh_key_and_validates() {
        let mut s = default_preset().scenario;
        let p = next_phase(&s.phases).expect("a ladder has a last phase");
        assert!(p.max_users > s.phases.last().map_or(0, |l| l.max_users));
        assert!(s.phases.iter().all(|q| q.key != p.key));
        s.phases.push(p);
        assert!(s.validate().is_ok());
    }
}
