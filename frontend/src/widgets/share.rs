use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::state::use_plan;

/// The current scenario's share link, with a copy button. The link is also in the address bar;
/// this makes it visible and one click away.
#[component]
pub fn ShareLink() -> impl IntoView {
    let state = use_plan();
    let location = use_location();
    let link = Memo::new(move |_| {
        let path = location.pathname.get();
        state.link(&path)
    });
    let (copied, set_copied) = signal(None::<&'static str>);
    let copy = move |_| {
        let text = link.get_untracked();
        let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
            set_copied.set(Some("Select the link and copy it"));
            return;
        };
        let promise = clipboard.write_text(&text);
        wasm_bindgen_futures::spawn_local(async move {
            // Denied clipboard access (no user gesture, headless): ask the user to copy by hand.
            let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            set_copied.set(Some(if done {
                "Copied"
            } else {
                "Select the link and copy it"
            }));
        });
    };
    view! {
        <section class="panel share" aria-labelledby="share-label">
            <label id="share-label" for="share-link">"Share this plan"</label>
            <div class="row">
                <input
                    id="share-link"
                    type="text"
                    readonly
                    data-testid="share-link"
                    prop:value=move || link.get()
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
                <button type="button" data-testid="copy-link" on:click=copy>"Copy link"</button>
            </div>
            <span class="help" role="status">
                {move || {
                    copied
                        .get()
                        .unwrap_or("The whole scenario is in the link: opening it restores this plan.")
                }}
            </span>
        </section>
    }
}
