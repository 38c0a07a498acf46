//! Operations: running a platform from the plan. For the platform picked (`?platform=NAME` in the
//! address bar, beside the plan's `?s=`; `default` when none is named) the page shows what it
//! follows, the phase track and its transition history, the checklist toward the next phase,
//! the milestones on a time axis, and the live readings of its sources against its phase — all
//! from one `GET /api/v1/platforms/{id}/status`, fetched again after every write — and its
//! notifications: the channels, the platform's rules and the delivery log
//! ([`notifications`], from the notification routes).
//!
//! Writes (a transition, a tick, an action, durations, a validation) are offered only to a role
//! that may edit ([`Action::EditScenarios`], the server's own table); a viewer reads. Every
//! refusal appears under the input the server names. Every text from the server is a text node.

mod checklist;
mod live;
mod milestones;
mod notifications;
mod track;

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::ValidationError;
use phaseplan_model::access::Action;
use phaseplan_model::cost::catalog::ProviderId;
use phaseplan_model::operations::{DEFAULT_PLATFORM, PhaseStep, Platform, PlatformStatus};

use crate::api::{self, ApiError};
use crate::format::{sentence, thousands, utc_time};
use crate::session::{Session, use_session};
use crate::state::{PlanState, param, set_param, use_plan};

/// What every part of the page shares. `Copy`: arena handles.
#[derive(Debug, Clone, Copy)]
struct Ops {
    /// The platform picked.
    name: RwSignal<String>,
    /// Its status, once read (`None` while the picked platform's is on its way).
    status: RwSignal<Option<PlatformStatus>>,
    /// Bumped to read the status again (after every write).
    refresh: RwSignal<u32>,
    session: Session,
}

impl Ops {
    /// Reads the platform's status again.
    fn reload(&self) {
        self.refresh.update(|n| *n += 1);
    }

    /// Whether to offer the write controls. Tracked.
    fn may_edit(&self) -> bool {
        self.session.may(Action::EditScenarios)
    }

    /// `f` of the status, when there is one. Tracked.
    fn with<T>(&self, f: impl FnOnce(&PlatformStatus) -> T) -> Option<T> {
        self.status.with(|s| s.as_ref().map(f))
    }
}

/// A phase's name from its key (the key itself when the ladder lacks it).
fn phase_name(phases: &[PhaseStep], key: &str) -> String {
    phases
        .iter()
        .find(|p| p.key == key)
        .map_or_else(|| key.to_owned(), |p| p.name.clone())
}

/// A provider's name from the catalog (its key when the catalog lacks it).
fn provider_name(state: &PlanState, id: ProviderId) -> String {
    state.catalog.with_value(|c| {
        c.as_ref()
            .ok()
            .and_then(|c| c.provider(id))
            .map_or_else(|| id.key().to_owned(), |p| p.name.clone())
    })
}

/// A count for people.
fn count(n: usize) -> String {
    // Counts on this page are small.
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    thousands(n)
}

/// A server path to download from (a transition's bundle): only the server's own API paths
/// become links.
fn download_href(path: &str) -> Option<String> {
    path.starts_with("/api/").then(|| path.to_owned())
}

/// A refusal to show beside a form: which input it is about (`None`: the form as a whole) and
/// the sentence, naming the field as the server does.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    field: Option<String>,
    message: String,
}

impl Problem {
    /// A check made here before sending, as the server would make it.
    fn checked(e: &ValidationError) -> Problem {
        Problem {
            field: Some(e.field.clone()),
            message: sentence(&e.to_string()),
        }
    }

    /// The server's refusal.
    fn refused(e: &ApiError) -> Problem {
        Problem {
            field: e.field().map(str::to_owned),
            message: sentence(&e.message()),
        }
    }

    /// The sentence for `field`'s input, if the problem is about it.
    fn about(this: Option<Problem>, field: &str) -> Option<String> {
        this.filter(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message)
    }

    /// The sentence for the form as a whole, if the problem is about no input of `fields`.
    fn general(this: Option<Problem>, fields: &[&str]) -> Option<String> {
        this.filter(|p| p.field.as_deref().is_none_or(|f| !fields.contains(&f)))
            .map(|p| p.message)
    }
}

/// A stale write's 409: someone else changed it since this page read it.
fn is_conflict(e: &ApiError) -> bool {
    matches!(e, ApiError::Server { status: 409, .. })
}

#[component]
pub fn Operations() -> impl IntoView {
    let session = use_session();
    let picked = param("platform")
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEFAULT_PLATFORM.to_owned());
    let ops = Ops {
        name: RwSignal::new(picked),
        status: RwSignal::new(None),
        refresh: RwSignal::new(0),
        session,
    };
    let platforms: RwSignal<Vec<Platform>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    // Each read has a number; an answer to an older one (another platform picked since) is
    // dropped.
    let generation = StoredValue::new(0_u64);
    // The platform whose status is shown: another one's is cleared at once, never shown under
    // the new name.
    let shown = StoredValue::new(String::new());

    Effect::new(move |_| {
        let name = ops.name.get();
        ops.refresh.track();
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        if shown.with_value(|s| *s != name) {
            ops.status.set(None);
        }
        spawn_local(async move {
            let list = session.check(api::platforms().await);
            let answer = session.check(api::platform_status(&name).await);
            // A newer read was started, or the page was left meanwhile.
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            if let Ok(l) = list {
                platforms.set(l.platforms);
            }
            match answer {
                Ok(s) => {
                    error.set(None);
                    shown.set_value(name);
                    ops.status.set(Some(s));
                }
                Err(e) => {
                    if matches!(e, ApiError::Server { status: 404, .. }) {
                        ops.status.set(None);
                    }
                    error.set(Some(format!(
                        "The platform {name:?} could not be read: {}",
                        sentence(&e.message())
                    )));
                }
            }
        });
    });

    let options = move || {
        let current = ops.name.get();
        let mut all: Vec<(String, String)> = platforms.with(|list| {
            list.iter()
                .map(|p| (p.name.clone(), format!("{} ({})", p.name, p.phase_name)))
                .collect()
        });
        if !all.iter().any(|(n, _)| *n == current) {
            all.insert(0, (current.clone(), current.clone()));
        }
        all.into_iter()
            .map(|(value, label)| {
                let is = value.clone();
                view! {
                    <option value=value prop:selected=move || ops.name.get() == is>{label}</option>
                }
            })
            .collect_view()
    };

    view! {
        <header class="page-header">
            <h1>"Operations"</h1>
            <p>
                "Running the plan: the phase each platform is on, its transitions and the bundle \
                 each deployed, the checklist toward the next phase, the milestones against the \
                 plan and the live forecast, and what its live sources read now."
            </p>
        </header>
        <section class="panel toolbar ops-bar" aria-label="Platform">
            <div class="field">
                <label for="ops-platform">"Platform"</label>
                <select
                    id="ops-platform"
                    data-testid="ops-platform"
                    on:change=move |ev| {
                        let name = event_target_value(&ev);
                        set_param("platform", &name);
                        ops.name.set(name);
                    }
                >
                    {options}
                </select>
            </div>
            <button type="button" data-testid="ops-reload" on:click=move |_| ops.reload()>
                "Reload"
            </button>
        </section>
        {move || error.get().map(|e| view! {
            <p class="banner error" role="alert" data-testid="ops-error">{e}</p>
        })}
        <Show
            when=move || ops.status.with(Option::is_some)
            fallback=move || {
                view! {
                    <Show when=move || error.with(Option::is_none)>
                        <section class="panel" data-testid="ops-loading">
                            <p class="hint" role="status">"Reading the platform…"</p>
                        </section>
                    </Show>
                }
            }
        >
            <PlatformHeader ops=ops />
            <track::Track ops=ops />
            <Show when=move || ops.may_edit()>
                <track::TransitionForm ops=ops />
            </Show>
            <checklist::ChecklistPanel ops=ops />
            <milestones::MilestonesPanel ops=ops />
            <notifications::NotificationPanels ops=ops />
            <live::LivePanel ops=ops />
        </Show>
    }
}

/// The platform: its name and phase, the scenario revision it follows, its provider.
#[component]
fn PlatformHeader(ops: Ops) -> impl IntoView {
    let state = use_plan();
    let platform = Memo::new(move |_| ops.with(|s| s.platform.clone()));
    let next_name = move || {
        ops.with(|s| {
            s.platform
                .next_phase
                .as_deref()
                .map(|k| phase_name(&s.phases, k))
        })
        .flatten()
    };
    let fact = move |f: fn(&Platform) -> String| move || platform.with(|p| p.as_ref().map(f));
    view! {
        <section class="panel ops" aria-labelledby="ops-platform-title" data-testid="ops-header">
            <div class="action-head">
                <h2 id="ops-platform-title" data-testid="ops-platform-name">
                    {fact(|p| p.name.clone())}
                </h2>
                <span class="badge info" data-testid="ops-phase" data-phase=fact(|p| p.phase.clone())>
                    {fact(|p| p.phase_name.clone())}
                </span>
            </div>
            <dl class="ops-facts">
                <div>
                    <dt>"Follows"</dt>
                    <dd data-testid="ops-scenario">{fact(|p| p.scenario_name.clone())}</dd>
                </div>
                <div>
                    <dt>"Revision"</dt>
                    <dd data-testid="ops-revision">
                        {fact(|p| format!(
                            "{} of latest {}",
                            thousands(f64::from(p.revision)),
                            thousands(f64::from(p.latest_revision))
                        ))}
                    </dd>
                </div>
                <div>
                    <dt>"Provider"</dt>
                    <dd data-testid="ops-provider">
                        {move || platform.with(|p| p.as_ref().map(|p| provider_name(&state, p.provider)))}
                    </dd>
                </div>
                <div>
                    <dt>"Next phase"</dt>
                    <dd data-testid="ops-next-phase">
                        {move || next_name().unwrap_or_else(|| "none: the top of the ladder".to_owned())}
                    </dd>
                </div>
                <div>
                    <dt>"Last change (UTC)"</dt>
                    <dd>{fact(|p| format!("{} by {}", utc_time(&p.updated_at), p.updated_by))}</dd>
                </div>
            </dl>
            {move || platform.with(|p| {
                p.as_ref().filter(|p| p.latest_revision > p.revision).map(|p| view! {
                    <p class="help" data-testid="ops-newer-revision">
                        {format!(
                            "A newer revision of {} exists (revision {}): the platform follows \
                             revision {} until it is moved to the newer one on purpose.",
                            p.scenario_name,
                            thousands(f64::from(p.latest_revision)),
                            thousands(f64::from(p.revision))
                        )}
                    </p>
                })
            })}
            {move || platform.with(|p| {
                p.as_ref().filter(|p| p.scenario_archived).map(|p| view! {
                    <p class="banner note" data-testid="ops-archived">
                        {format!(
                            "The scenario {} is archived: the platform can be read, not moved, \
                             until the scenario is restored in the Library or the platform \
                             follows another one.",
                            p.scenario_name
                        )}
                    </p>
                })
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::api::{ErrorBody, ErrorCode};

    #[test]
    fn only_the_servers_own_paths_become_download_links() {
        assert_eq!(
            download_href("/api/v1/bundles/growth/aws.zip?scenario=x&revision=1").as_deref(),
            Some("/api/v1/bundles/growth/aws.zip?scenario=x&revision=1")
        );
        assert_eq!(download_href("javascript:alert(1)"), None);
        assert_eq!(download_href("https://elsewhere.example/x.zip"), None);
    }

    #[test]
    fn a_refusal_lands_under_the_field_the_server_names() {
        let refused = ApiError::Server {
            status: 422,
            body: ErrorBody::new(
                ErrorCode::InvalidInput,
                "phase: skips Growth: record each step",
                Some("phase".to_owned()),
            ),
            retry_after: None,
        };
        let p = Problem::refused(&refused);
        assert_eq!(
            Problem::about(Some(p.clone()), "phase").as_deref(),
            Some("Phase: skips Growth: record each step.")
        );
        assert_eq!(Problem::general(Some(p), &["phase", "reason"]), None);
    }
}
