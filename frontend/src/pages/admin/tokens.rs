//! API tokens: the list (role, who created it and when, last use, expiry, revoked or not),
//! creating one, and revoking one after a confirmation. A new token's secret is in the answer to
//! its creation and nowhere else (the server keeps its hash): it is shown once, in a read-only
//! input with a Copy button, and forgotten when another is created, when it is dismissed, or
//! when the page is left (it lives in this panel's signals only, never in the address bar or
//! storage).

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::{CreatedToken, MAX_TOKEN_DAYS, NewToken, Role, Token};

use super::{FieldError, NameField, Problem, RoleSelect};
use crate::api;
use crate::format::{sentence, utc_time};
use crate::session::use_session;

const FIELDS: [&str; 3] = ["name", "role", "expires_in_days"];

/// Whether a token still works, for its row, and since when it does not (for the cell's
/// tooltip: the table stays narrow enough for a laptop).
fn standing(t: &Token, now_ms: f64) -> (&'static str, Option<String>) {
    if let Some(at) = &t.revoked_at {
        return ("revoked", Some(format!("revoked {} UTC", utc_time(at))));
    }
    match &t.expires_at {
        Some(at) if js_sys::Date::parse(at) <= now_ms => {
            ("expired", Some(format!("expired {} UTC", utc_time(at))))
        }
        _ => ("active", None),
    }
}

/// The days input: empty is "until revoked".
fn days(text: &str) -> Result<Option<u32>, Problem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>().map(Some).map_err(|_| Problem {
        field: Some("expires_in_days".to_owned()),
        message: format!(
            "Expires in (days) must be a whole number from 1 to {MAX_TOKEN_DAYS}, or empty for \
             a token that works until revoked."
        ),
    })
}

#[component]
pub fn TokensPanel(changes: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let tokens: RwSignal<Vec<Token>> = RwSignal::new(Vec::new());
    let load_error: RwSignal<Option<String>> = RwSignal::new(None);
    // Whether a list has arrived: "none yet" is said only then.
    let loaded = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer);
    let expiry = RwSignal::new(String::new());
    let problem: RwSignal<Option<Problem>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let created: RwSignal<Option<CreatedToken>> = RwSignal::new(None);
    let copied: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let confirming: RwSignal<Option<String>> = RwSignal::new(None);
    let row_error: RwSignal<Option<(String, String)>> = RwSignal::new(None);

    let load = move || {
        spawn_local(async move {
            match session.check(api::tokens().await) {
                Ok(t) => {
                    load_error.set(None);
                    tokens.set(t.tokens);
                    loaded.set(true);
                }
                Err(e) => load_error.set(Some(format!("The tokens could not be read: {e}"))),
            }
        });
    };
    load();

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The previous secret goes first, whatever happens to this one.
        created.set(None);
        copied.set(None);
        let expires_in_days = match days(&expiry.get_untracked()) {
            Ok(d) => d,
            Err(p) => return problem.set(Some(p)),
        };
        let body = NewToken {
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            expires_in_days,
        };
        if let Err(e) = body.validate() {
            problem.set(Some(Problem::checked(&e)));
            return;
        }
        problem.set(None);
        busy.set(true);
        spawn_local(async move {
            let answer = session.check(api::create_token(&body).await);
            busy.set(false);
            match answer {
                Ok(c) => {
                    created.set(Some(c));
                    name.set(String::new());
                    expiry.set(String::new());
                    changes.update(|n| *n += 1);
                    load();
                }
                Err(e) => problem.set(Some(Problem::refused(&e, Some("name")))),
            }
        });
    };

    let revoke = move |which: String| {
        confirming.set(None);
        row_error.set(None);
        spawn_local(async move {
            match session.check(api::revoke_token(&which).await) {
                Ok(()) => {
                    changes.update(|n| *n += 1);
                    load();
                }
                Err(e) => row_error.set(Some((which, sentence(&e.message())))),
            }
        });
    };

    let copy = move |_| {
        let Some(secret) = created.with_untracked(|c| c.as_ref().map(|c| c.secret.clone())) else {
            return;
        };
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            copied.set(Some("Select the secret and copy it"));
            return;
        };
        let promise = clipboard.write_text(&secret);
        wasm_bindgen_futures::spawn_local(async move {
            // Denied clipboard access (headless, no permission): copying by hand still works.
            let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            copied.set(Some(if done {
                "Copied"
            } else {
                "Select the secret and copy it"
            }));
        });
    };

    let about = move |field: &'static str| Problem::about(problem.get(), field);

    view! {
        <section class="panel admin" aria-labelledby="admin-tokens-title">
            <h2 id="admin-tokens-title">"API tokens"</h2>
            <p class="hint">
                "For scripts and CI: send " <code>"Authorization: Bearer <secret>"</code>
                ". A token acts with its role; revoking it stops it at once."
            </p>
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || created.get().map(|c| view! {
                <div class="secret" role="status" data-testid="admin-token-created">
                    <p>
                        <strong>{format!("Token {} created ({}).", c.token.name, c.token.role)}</strong>
                        " Copy its secret now: it is shown only this once, and the server keeps \
                         only its hash."
                    </p>
                    <div class="row">
                        <input
                            type="text"
                            readonly
                            aria-label="The new token's secret"
                            data-testid="admin-token-secret"
                            autocomplete="off"
                            spellcheck="false"
                            prop:value=c.secret.clone()
                            on:focus=move |ev| {
                                use wasm_bindgen::JsCast as _;
                                if let Some(input) = ev
                                    .target()
                                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                {
                                    input.select();
                                }
                            }
                        />
                        <button type="button" data-testid="admin-token-copy" on:click=copy>"Copy"</button>
                        <button
                            type="button"
                            class="link"
                            data-testid="admin-token-done"
                            on:click=move |_| {
                                created.set(None);
                                copied.set(None);
                            }
                        >
                            "Done"
                        </button>
                    </div>
                    {move || copied.get().map(|m| view! { <span class="help">{m}</span> })}
                </div>
            })}
            <div class="table-scroll" tabindex="0" role="region" aria-label="API tokens">
                <table class="data" data-testid="admin-tokens">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"Role"</th>
                            <th>"Created (UTC)"</th>
                            <th>"By"</th>
                            <th>"Last used"</th>
                            <th>"Expires"</th>
                            <th>"State"</th>
                            <th>""</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let now = js_sys::Date::now();
                            tokens
                                .get()
                                .into_iter()
                                .map(|t| {
                                    let (state, since) = standing(&t, now);
                                    let (n1, n2, n3) = (t.name.clone(), t.name.clone(), t.name.clone());
                                    let asking = move || confirming.with(|c| c.as_deref() == Some(n1.as_str()));
                                    let refusal = move || {
                                        row_error.with(|r| {
                                            r.as_ref().filter(|(w, _)| *w == n3).map(|(_, m)| m.clone())
                                        })
                                    };
                                    let action = (state == "active").then(|| {
                                        let ask = n2.clone();
                                        let go = n2.clone();
                                        view! {
                                            <Show
                                                when=asking
                                                fallback=move || {
                                                    let ask = ask.clone();
                                                    view! {
                                                        <button
                                                            type="button"
                                                            class="link"
                                                            data-testid="admin-token-revoke"
                                                            on:click=move |_| {
                                                                row_error.set(None);
                                                                confirming.set(Some(ask.clone()));
                                                            }
                                                        >
                                                            "Revoke"
                                                        </button>
                                                    }
                                                }
                                            >
                                                {
                                                    let go = go.clone();
                                                    view! {
                                                        <span class="confirm">
                                                            "Revoke? It stops working at once."
                                                            <button
                                                                type="button"
                                                                class="danger"
                                                                data-testid="admin-token-revoke-confirm"
                                                                on:click=move |_| revoke(go.clone())
                                                            >
                                                                "Revoke"
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
                                        }
                                    });
                                    view! {
                                        <tr data-testid="admin-token-row" data-name=t.name.clone() data-state=state>
                                            <td><strong>{t.name.clone()}</strong></td>
                                            <td>{t.role.as_str()}</td>
                                            <td>{utc_time(&t.created_at)}</td>
                                            <td>{t.created_by.clone()}</td>
                                            <td>{t.last_used_at.as_deref().map_or_else(|| "never".to_owned(), utc_time)}</td>
                                            <td>{t.expires_at.as_deref().map_or_else(|| "never".to_owned(), utc_time)}</td>
                                            <td class=format!("token-state {state}") title=since>{state}</td>
                                            <td class="row-actions">
                                                {action}
                                                {move || refusal().map(|m| view! {
                                                    <span class="error" role="alert">{m}</span>
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
            <Show when=move || loaded.get() && tokens.with(Vec::is_empty)>
                <p class="muted">"No tokens yet."</p>
            </Show>
            <h3>"Create a token"</h3>
            <form class="admin-form" on:submit=create novalidate>
                <div class="fields">
                    <NameField id="admin-token-name" testid="admin-token-name" error_testid="admin-token-name-error" placeholder="ci" name=name error=Signal::derive(move || about("name")) />
                    <div class="field">
                        <label for="admin-token-role">"Role"</label>
                        <RoleSelect id="admin-token-role" testid="admin-token-role" role=role />
                    </div>
                    <div class="field">
                        <label for="admin-token-days">"Expires in (days)"</label>
                        <input
                            id="admin-token-days"
                            type="number"
                            data-testid="admin-token-days"
                            min="1"
                            max=MAX_TOKEN_DAYS.to_string()
                            step="1"
                            placeholder="never"
                            aria-invalid=move || about("expires_in_days").is_some().then_some("true")
                            prop:value=move || expiry.get()
                            on:input=move |ev| expiry.set(event_target_value(&ev))
                        />
                        <span class="help">"Empty: until revoked."</span>
                        <FieldError testid="admin-token-days-error" message=Signal::derive(move || about("expires_in_days")) />
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" data-testid="admin-token-create" prop:disabled=move || busy.get()>
                        "Create token"
                    </button>
                    {move || Problem::general(problem.get(), &FIELDS).map(|m| view! {
                        <span class="error" role="alert" data-testid="admin-token-error">{m}</span>
                    })}
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_expiry_is_until_revoked_and_nonsense_names_its_field() {
        assert_eq!(days(""), Ok(None));
        assert_eq!(days(" 90 "), Ok(Some(90)));
        let Err(p) = days("1.5") else {
            panic!("a fraction of a day passed");
        };
        assert_eq!(p.field.as_deref(), Some("expires_in_days"));
    }
}
