//! Who is signed in, in the sidebar: the name, the role and "Sign out". Signing out ends the
//! session on the server (every tab, every replica) and brings the sign-in page back. A server
//! without sign-in (`auth = "none"`) gets one quiet line; when the server could not be asked,
//! nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::access::{AuthMode, Credential};

use crate::api;
use crate::session::use_session;

#[component]
pub fn Who() -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let error: RwSignal<Option<String>> = RwSignal::new(None);

    let sign_out = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let answer = api::sign_out().await;
            busy.set(false);
            match answer {
                // A 401: the session had ended already, which is what was asked.
                Ok(()) => session.signed_out(),
                Err(e) if e.is_unauthorized() => session.signed_out(),
                Err(e) => error.set(Some(format!("Not signed out: {e}"))),
            }
        });
    };

    move || match session.me() {
        None => ().into_any(),
        Some(me) if me.auth == AuthMode::None => view! {
            <p class="who quiet muted" data-testid="who-local">"No sign-in (this machine)"</p>
        }
        .into_any(),
        Some(me) => {
            // Only a session can be ended from here; a token (a proxy in front adding one) is
            // revoked on the admin page.
            let can_sign_out = me.via == Credential::Session;
            view! {
                <div class="who" aria-label="Signed in">
                    <span class="who-text" data-testid="who" title=format!("{} ({})", me.name, me.role)>
                        <span class="who-name">{me.name.clone()}</span>
                        <span class="who-role">{me.role.as_str()}</span>
                    </span>
                    {can_sign_out.then(|| view! {
                        <button
                            type="button"
                            class="secondary"
                            data-testid="sign-out"
                            prop:disabled=move || busy.get()
                            on:click=sign_out
                        >
                            "Sign out"
                        </button>
                    })}
                    {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
                </div>
            }
            .into_any()
        }
    }
}
