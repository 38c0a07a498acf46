//! An ECharts chart driven by a signal. Renders once (which calls `echarts.init`), then only
//! updates the options on later changes; resizes with the window; disposes on unmount. Follows
//! the system's light or dark setting, like the stylesheet: ECharts' own dark theme on the dark
//! surface colour, re-initialised when the setting changes.

use charming::theme::Theme;
use charming::{Chart, Echarts, WasmRenderer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `echarts.dispose(instance)`: frees the instance and its listeners.
    #[wasm_bindgen(js_namespace = echarts, js_name = "dispose")]
    fn echarts_dispose(instance: &JsValue);
}

/// The event the page's loader dispatches on `window` once the ECharts script has run. ECharts
/// is fetched after the app's wasm (xtask `split.rs`), so the page's text is not kept waiting
/// for a chart library; a chart drawn before it is here waits for this event.
const ECHARTS_READY: &str = "phaseplan-echarts";

/// Whether the global `echarts` is there yet.
pub fn echarts_loaded() -> bool {
    js_sys::Reflect::has(&window(), &JsValue::from_str("echarts")).unwrap_or(false)
}

/// Calls `then` once, when the ECharts script has run.
pub fn when_echarts_loaded(then: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(then);
    let options = web_sys::AddEventListenerOptions::new();
    options.set_once(true);
    let _ = window().add_event_listener_with_callback_and_add_event_listener_options(
        ECHARTS_READY,
        callback.unchecked_ref(),
        &options,
    );
}

/// A page-unique element id for a chart (ECharts is initialised by element id).
fn next_id() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("chart-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The panel colours of `assets/style.css` (`--surface`), so a chart (and its PNG export) sits
/// on the same background as the page around it.
const SURFACE_LIGHT: &str = "#ffffff";
const SURFACE_DARK: &str = "#171b22";

/// Frames to wait for a chart's element to be in the document before giving up.
const MOUNT_ATTEMPTS: u32 = 30;

const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

fn dark_media() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(DARK_QUERY).ok().flatten()
}

/// Whether the system asks for a dark theme now, as a signal that follows changes.
fn use_dark_scheme() -> ReadSignal<bool> {
    let media = dark_media();
    let (dark, set_dark) = signal(media.as_ref().is_some_and(web_sys::MediaQueryList::matches));
    if let Some(media) = media {
        let on_change = Closure::<dyn Fn()>::new(move || {
            set_dark.set(dark_media().is_some_and(|m| m.matches()));
        });
        // Legacy `addListener` is what every engine supports; the listener lives as long as
        // the page (one per chart, removed with the chart).
        let _ = media.add_listener_with_opt_callback(Some(on_change.as_ref().unchecked_ref()));
        let callback = StoredValue::new_local(Some(on_change));
        on_cleanup(move || {
            callback.update_value(|c| {
                if let Some(c) = c.take() {
                    let _ =
                        media.remove_listener_with_opt_callback(Some(c.as_ref().unchecked_ref()));
                }
            });
        });
    }
    dark
}

#[component]
pub fn EChart(
    /// The chart to show; a new value updates the same ECharts instance.
    #[prop(into)]
    chart: Signal<Chart>,
    /// What the chart shows, for screen readers.
    label: &'static str,
    /// Height in pixels; the width follows the container.
    #[prop(default = 320)]
    height: u32,
    /// A stable hook for end-to-end tests.
    #[prop(optional)]
    test_id: &'static str,
) -> impl IntoView {
    let id = next_id();
    // The instance and the theme it was created with.
    let handle = StoredValue::new_local(None::<(Echarts, bool)>);
    let dark = use_dark_scheme();
    let element_id = id.clone();
    // After a navigation the effect can run before the route's view is in the document, so the
    // element is not found yet: try again on the next frames (by then it is attached) instead
    // of leaving the chart blank until its data next changes.
    let attempt = RwSignal::new(0u32);
    Effect::new(move |_| {
        attempt.track();
        let dark = dark.get();
        // Updates apply at once: a what-if answer that animates for a second after every
        // keystroke only keeps the main thread busy (the first draw still animates).
        let c = chart
            .get()
            .background_color(if dark { SURFACE_DARK } else { SURFACE_LIGHT })
            .animation_duration_update(0);
        handle.update_value(|h| {
            match h {
                Some((echarts, was_dark)) if *was_dark == dark => {
                    WasmRenderer::update(echarts, &c);
                    return;
                }
                Some((echarts, _)) => echarts_dispose(echarts.as_ref()),
                None if !echarts_loaded() => {
                    when_echarts_loaded(move || {
                        attempt.try_update(|a| *a += 1);
                    });
                    return;
                }
                None => {}
            }
            let theme = if dark { Theme::Dark } else { Theme::Default };
            match WasmRenderer::new_opt(None, Some(height))
                .theme(theme)
                .render(&element_id, &c)
            {
                Ok(echarts) => *h = Some((echarts, dark)),
                Err(e) => {
                    *h = None;
                    if attempt.get_untracked() < MOUNT_ATTEMPTS {
                        request_animation_frame(move || {
                            attempt.try_update(|a| *a += 1);
                        });
                    } else {
                        leptos::logging::warn!("chart {element_id}: {e:?}");
                    }
                }
            }
        });
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        handle.with_value(|h| {
            if let Some((echarts, _)) = h {
                echarts.resize(JsValue::UNDEFINED);
            }
        });
    });
    on_cleanup(move || {
        resize.remove();
        handle.update_value(|h| {
            if let Some((echarts, _)) = h.take() {
                echarts_dispose(echarts.as_ref());
            }
        });
    });
    view! {
        <div
            id=id
            class="chart"
            role="img"
            aria-label=label
            data-testid=test_id
            style=format!("height:{height}px")
        ></div>
    }
}
