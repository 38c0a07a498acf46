//! An ECharts chart driven by a signal. Renders once (which calls `echarts.init`), then only
//! updates the options on later changes; resizes with the window; disposes on unmount.

use charming::{Chart, Echarts, WasmRenderer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `echarts.dispose(instance)`: frees the instance and its listeners.
    #[wasm_bindgen(js_namespace = echarts, js_name = "dispose")]
    fn echarts_dispose(instance: &JsValue);
}

/// A page-unique element id for a chart (ECharts is initialised by element id).
fn next_id() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("chart-{}", NEXT.fetch_add(1, Ordering::Relaxed))
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
    let handle = StoredValue::new_local(None::<Echarts>);
    let element_id = id.clone();
    Effect::new(move |_| {
        let c = chart.get();
        handle.update_value(|h| match h {
            Some(echarts) => WasmRenderer::update(echarts, &c),
            None => match WasmRenderer::new_opt(None, Some(height)).render(&element_id, &c) {
                Ok(echarts) => *h = Some(echarts),
                Err(e) => leptos::logging::warn!("chart {element_id}: {e:?}"),
            },
        });
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        handle.with_value(|h| {
            if let Some(echarts) = h {
                echarts.resize(JsValue::UNDEFINED);
            }
        });
    });
    on_cleanup(move || {
        resize.remove();
        handle.update_value(|h| {
            if let Some(echarts) = h.take() {
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
