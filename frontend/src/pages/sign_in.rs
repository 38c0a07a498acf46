//! The sign-in page, shown instead of the app when the server requires sign-in (`auth =
//! "users"`) and this browser has no session. A failure shows the server's own sentence, which
//! never says whether the name exists; after too many failures the server asks to wait, and the
//! page says how long. The address bar is left alone, so the link that was opened (a share link,
//! a saved revision) opens once signed in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::{SignIn, check_name};

use crate::api::{self, ApiError};
use crate::format::sentence;
use crate::session::{Standing, use_session};

/// The sentence for a failed sign-in.
fn failure(e: &ApiError) -> String {
    match e {
        ApiError::Server {
            status: 429,
            retry_after: Some(s),
            ..
        } => format!(
            "Too many failed sign-ins: wait {s} second{} before trying again.",
            if *s == 1 { "" } else { "s" }
        ),
        ApiError::Server { .. } => sentence(&e.message()),
        other => format!("Not signed in: {other}"),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let ended = session
        .standing
        .with_untracked(|s| matches!(s, Standing::SignInNeeded { ended: true }));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let body = SignIn {
            name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        if body.name.is_empty() || body.password.is_empty() {
            error.set(Some("Enter your name and your password.".to_owned()));
            return;
        }
        // A name no account can have is refused here, as the server would (it says nothing
        // about whether an account exists).
        if let Err(e) = check_name("name", &body.name) {
            error.set(Some(sentence(&e.to_string())));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api::sign_in(&body).await;
            busy.set(false);
            match answer {
                Ok(me) => session.signed_in(me),
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(failure(&e)));
                }
            }
        });
    };

    view! {
        <main id="main" class="sign-in">
            <div class="panel sign-in-panel">
                <div class="brand">
                    <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
                        <rect width="32" height="32" rx="7" fill="#2563eb" />
                        <path d="M7 23h5v-6H7zm6.5 0h5V13h-5zM20 23h5V8h-5z" fill="#fff" />
                    </svg>
                    <span>"Phaseplan"</span>
                </div>
                <h1>"Sign in"</h1>
                <p class="muted">
                    {if ended {
                        "Your session has ended. Sign in again to go on: the plan in the address \
                         bar is kept."
                    } else {
                        "This Phaseplan server asks who you are. An admin gives you a name and a \
                         password."
                    }}
                </p>
                <form class="sign-in-form" on:submit=submit novalidate>
                    <div class="field">
                        <label for="signin-name">"Name"</label>
                        <input
                            id="signin-name"
                            type="text"
                            data-testid="signin-name"
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            maxlength="64"
                            required
                            prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for="signin-password">"Password"</label>
                        <input
                            id="signin-password"
                            type="password"
                            data-testid="signin-password"
                            autocomplete="current-password"
                            maxlength="1024"
                            required
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </div>
                    {move || error.get().map(|e| view! {
                        <p class="error" role="alert" data-testid="signin-error">{e}</p>
                    })}
                    <button type="submit" data-testid="signin-submit" prop:disabled=move || busy.get()>
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </div>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::api::{ErrorBody, ErrorCode};

    fn server(status: u16, message: &str, retry_after: Option<u32>) -> ApiError {
        ApiError::Server {
            status,
            body: ErrorBody::new(ErrorCode::Unauthorized, message, None),
            retry_after,
        }
    }

    #[test]
    fn failures_say_the_servers_sentence_and_how_long_to_wait() {
        assert_eq!(
            failure(&server(401, "the name or the password is wrong", None)),
            "The name or the password is wrong."
        );
        assert_eq!(
            failure(&server(
                429,
                "too many failed sign-ins; try again in 30 s",
                Some(30)
            )),
            "Too many failed sign-ins: wait 30 seconds before trying again."
        );
        assert_eq!(
            failure(&server(
                429,
                "too many failed sign-ins; try again in 1 s",
                None
            )),
            "Too many failed sign-ins; try again in 1 s."
        );
    }
}
