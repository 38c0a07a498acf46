//! Accounts: the list, adding one (name, role, password, checked here as the server checks
//! them), and removing one after a confirmation. The server refuses to remove the last admin
//! (409); its sentence appears in that account's row.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::{NewUser, Role, User};

use super::{FieldError, NameField, Problem, RoleSelect};
use crate::api;
use crate::format::{sentence, utc_time};
use crate::session::use_session;

const FIELDS: [&str; 3] = ["name", "role", "password"];

#[component]
pub fn UsersPanel(changes: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let users: RwSignal<Vec<User>> = RwSignal::new(Vec::new());
    let load_error: RwSignal<Option<String>> = RwSignal::new(None);
    // Whether a list has arrived: "none yet" is said only then.
    let loaded = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer);
    let password = RwSignal::new(String::new());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let added: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    // The account whose removal waits for a second click, and a refusal shown in its row.
    let confirming: RwSignal<Option<String>> = RwSignal::new(None);
    let row_error: RwSignal<Option<(String, String)>> = RwSignal::new(None);

    let load = move || {
        spawn_local(async move {
            match session.check(api::users().await) {
                Ok(u) => {
                    load_error.set(None);
                    users.set(u.users);
                    loaded.set(true);
                }
                Err(e) => load_error.set(Some(format!("The accounts could not be read: {e}"))),
            }
        });
    };
    load();

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewUser {
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        added.set(None);
        if let Err(e) = body.validate() {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        busy.set(true);
        spawn_local(async move {
            let answer = session.check(api::add_user(&body).await);
            busy.set(false);
            match answer {
                Ok(u) => {
                    added.set(Some(format!("Added {} ({}).", u.name, u.role)));
                    name.set(String::new());
                    password.set(String::new());
                    changes.update(|n| *n += 1);
                    load();
                }
                Err(e) => problem.set(Some(Problem::refused(&e, Some("name")))),
            }
        });
    };

    let remove = move |who: String| {
        confirming.set(None);
        row_error.set(None);
        spawn_local(async move {
            match session.check(api::remove_user(&who).await) {
                Ok(()) => {
                    changes.update(|n| *n += 1);
                    load();
                }
                Err(e) => row_error.set(Some((who, sentence(&e.message())))),
            }
        });
    };

    let about = move |field: &'static str| Problem::about(problem.get(), field);

    view! {
        <section class="panel admin" aria-labelledby="admin-users-title">
            <h2 id="admin-users-title">"Accounts"</h2>
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="admin-users-title">
                <table class="data" data-testid="admin-users">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Role"</th>
                            <th>"Added (UTC)"</th>
                            <th>""</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            users
                                .get()
                                .into_iter()
                                .map(|u| {
                                    let (n1, n2, n3, n4) =
                                        (u.name.clone(), u.name.clone(), u.name.clone(), u.name.clone());
                                    let asking = move || confirming.with(|c| c.as_deref() == Some(n1.as_str()));
                                    let refusal = move || {
                                        row_error.with(|r| {
                                            r.as_ref().filter(|(w, _)| *w == n4).map(|(_, m)| m.clone())
                                        })
                                    };
                                    view! {
                                        <tr data-testid="admin-user-row" data-name=u.name.clone()>
                                            <td><strong>{u.name.clone()}</strong></td>
                                            <td>{u.role.as_str()}</td>
                                            <td>{utc_time(&u.created_at)}</td>
                                            <td class="row-actions">
                                                <Show
                                                    when=asking
                                                    fallback=move || {
                                                        let who = n2.clone();
                                                        view! {
                                                            <button
                                                                type="button"
                                                                class="link"
                                                                data-testid="admin-user-remove"
                                                                on:click=move |_| {
                                                                    row_error.set(None);
                                                                    confirming.set(Some(who.clone()));
                                                                }
                                                            >
                                                                "Remove"
                                                            </button>
                                                        }
                                                    }
                                                >
                                                    {
                                                        let who = n3.clone();
                                                        view! {
                                                            <span class="confirm">
                                                                {format!("Remove {who}? Their sessions end at once.")}
                                                                <button
                                                                    type="button"
                                                                    class="danger"
                                                                    data-testid="admin-user-remove-confirm"
                                                                    on:click={
                                                                        let who = who.clone();
                                                                        move |_| remove(who.clone())
                                                                    }
                                                                >
                                                                    "Remove"
                                                                </button>
                                                                <button
                                                                    type="button"
                                                                    class="link"
                                                                    on:click=move |_| confirming.set(None)
                                                                >
                                                                    "Cancel"
                                                                </button>
                                                            </span>
                                                        }
                                                    }
                                                </Show>
                                                {move || refusal().map(|m| view! {
                                                    <span class="error" role="alert" data-testid="admin-user-remove-error">{m}</span>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            <Show when=move || loaded.get() && users.with(Vec::is_empty)>
                <p class="muted">"No accounts yet: add one here, or with " <code>"phaseplan user add"</code> " on the server."</p>
            </Show>
            <h3>"Add an account"</h3>
            <form class="admin-form" on:submit=add novalidate>
                <div class="fields">
                    <NameField id="admin-user-name" testid="admin-user-name" error_testid="admin-user-name-error" name=name error=Signal::derive(move || about("name")) />
                    <div class="field">
                        <label for="admin-user-role">"Role"</label>
                        <RoleSelect id="admin-user-role" testid="admin-user-role" role=role />
                    </div>
                    <div class="field">
                        <label for="admin-user-password">"Password"</label>
                        <input
                            id="admin-user-password"
                            type="password"
                            data-testid="admin-user-password"
                            autocomplete="new-password"
                            maxlength="1024"
                            aria-invalid=move || about("password").is_some().then_some("true")
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                        <span class="help">"At least 10 characters. Tell it to the person yourself: it is never shown again."</span>
                        <FieldError testid="admin-user-password-error" message=Signal::derive(move || about("password")) />
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" data-testid="admin-user-add" prop:disabled=move || busy.get()>
                        "Add account"
                    </button>
                    {move || Problem::general(problem.get(), &FIELDS).map(|m| view! {
                        <span class="error" role="alert" data-testid="admin-user-error">{m}</span>
                    })}
                    {move || added.get().map(|m| view! {
                        <span class="help" role="status" data-testid="admin-user-added">{m}</span>
                    })}
                </div>
            </form>
        </section>
    }
}
