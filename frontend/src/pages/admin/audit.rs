//! The audit log: every write, newest first, a page at a time ("More" follows the server's
//! cursor). Reloaded from the top whenever this page changed something, or on Refresh.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::{AuditAction, AuditEntry};

use crate::api;
use crate::format::utc_time;
use crate::session::use_session;

/// An audited write, in a word or two for the table.
fn action_label(a: AuditAction) -> &'static str {
    match a {
        AuditAction::SignIn => "signed in",
        AuditAction::SignOut => "signed out",
        AuditAction::ScenarioCreate => "saved a new scenario",
        AuditAction::ScenarioSave => "saved a revision",
        AuditAction::ScenarioArchive => "archived a scenario",
        AuditAction::ScenarioRestore => "restored a scenario",
        AuditAction::ScenarioDuplicate => "duplicated a scenario",
        AuditAction::UserAdd => "added an account",
        AuditAction::UserPassword => "set a password",
        AuditAction::UserRemove => "removed an account",
        AuditAction::TokenCreate => "created a token",
        AuditAction::TokenRevoke => "revoked a token",
        AuditAction::PlatformCreate => "created a platform",
        AuditAction::PlatformEdit => "changed a platform",
        AuditAction::PlatformTransition => "recorded a transition",
        AuditAction::ChecklistAdd => "added an action",
        AuditAction::ChecklistEdit => "changed an action's state",
        AuditAction::MilestoneEdit => "changed milestones",
        AuditAction::ChannelAdd => "added a notification channel",
        AuditAction::ChannelEdit => "changed a notification channel",
        AuditAction::ChannelRemove => "removed a notification channel",
        AuditAction::RuleAdd => "added a notification rule",
        AuditAction::RuleRemove => "removed a notification rule",
    }
}

#[component]
pub fn AuditPanel(changes: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let entries: RwSignal<Vec<AuditEntry>> = RwSignal::new(Vec::new());
    let next: RwSignal<Option<String>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let loading = RwSignal::new(true);
    // Each load has a number; an older one's answer (a Refresh overtook it) is dropped.
    let generation = StoredValue::new(0_u64);

    let load = move |more: bool| {
        let cursor = if more { next.get_untracked() } else { None };
        if more && cursor.is_none() {
            return;
        }
        let ticket = generation.with_value(|g| g + 1);
        generation.set_value(ticket);
        loading.set(true);
        spawn_local(async move {
            let page = session.check(api::audit(cursor.as_deref()).await);
            if generation.get_value() != ticket {
                return;
            }
            loading.set(false);
            match page {
                Ok(p) => {
                    error.set(None);
                    if more {
                        entries.update(|e| e.extend(p.entries));
                    } else {
                        entries.set(p.entries);
                    }
                    next.set(p.next_cursor);
                }
                Err(e) => error.set(Some(format!("The audit log could not be read: {e}"))),
            }
        });
    };
    Effect::new(move |_| {
        changes.track();
        load(false);
    });

    view! {
        <section class="panel admin" aria-labelledby="admin-audit-title">
            <div class="panel-head">
                <h2 id="admin-audit-title">"Audit log"</h2>
                <button
                    type="button"
                    class="secondary"
                    data-testid="admin-audit-refresh"
                    on:click=move |_| load(false)
                >
                    "Refresh"
                </button>
            </div>
            <p class="hint">"Every write: sign-ins, saves, accounts and tokens. Newest first; times in UTC."</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="table-scroll" tabindex="0" role="region" aria-label="Audit log">
                <table class="data" data-testid="admin-audit">
                    <thead>
                        <tr>
                            <th>"Time"</th>
                            <th>"Who"</th>
                            <th>"Action"</th>
                            <th>"Target"</th>
                            <th>"Address"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            entries
                                .get()
                                .into_iter()
                                .map(|e| view! {
                                    <tr data-testid="admin-audit-row" data-action=e.action.as_str()>
                                        <td>{utc_time(&e.at)}</td>
                                        <td data-testid="admin-audit-actor">{e.actor.clone()}</td>
                                        <td>{action_label(e.action)}</td>
                                        <td class="target">{e.target.clone()}</td>
                                        <td>{e.address.clone()}</td>
                                    </tr>
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            <Show when=move || !loading.get() && entries.with(Vec::is_empty) && error.with(Option::is_none)>
                <p class="muted">"Nothing recorded yet."</p>
            </Show>
            <Show when=move || next.with(Option::is_some)>
                <button type="button" class="secondary" data-testid="admin-audit-more" on:click=move |_| load(true)>
                    "More"
                </button>
            </Show>
        </section>
    }
}
