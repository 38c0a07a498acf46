//! Bundles: pick a phase and a provider, preview every generated file with syntax highlighting,
//! compare two phases (what changes, in files and in monthly cost), and download the bundle as a
//! zip or tar.gz — built here in the browser from the same scenario, byte for byte what the
//! server's `/api/v1/bundles/{phase}/{provider}.zip` returns for it.

use leptos::prelude::*;
use phaseplan_model::bundle::archive::{self, Format};
use phaseplan_model::bundle::{Bundle, BundleSpec, SavedRevision, render};
use phaseplan_model::cost::catalog::ProviderId;
use wasm_bindgen::JsCast;

use crate::bundle_diff::{DiffLine, FileChange, compare, unified};
use crate::format::usd;
use crate::highlight::highlight;
use crate::state::use_plan;

/// Offers `bytes` as a file download named `name`.
fn download(name: &str, media_type: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(media_type);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "not an anchor".to_owned())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).map_err(fail)
}

fn code_view(path: String, text: String) -> impl IntoView {
    let lines = highlight(&path, &text);
    view! {
        <pre class="code" tabindex="0" aria-label=format!("Contents of {path}") data-testid="file-preview" data-path=path><code>
            {lines
                .into_iter()
                .map(|l| {
                    view! {
                        <span class="line">
                            {l.into_iter().map(|(t, s)| view! { <span class=t.class()>{s}</span> }).collect_view()}
                        </span>
                        "\n"
                    }
                })
                .collect_view()}
        </code></pre>
    }
}

fn diff_view(path: String, old: String, new: String) -> impl IntoView {
    let lines = unified(&old, &new);
    view! {
        <pre class="code diff" tabindex="0" aria-label=format!("Changes to {path}") data-testid="file-diff" data-path=path><code>
            {lines
                .into_iter()
                .map(|l| {
                    let (class, sign, text) = match l {
                        DiffLine::Gap => ("gap", "", "⋯".to_owned()),
                        DiffLine::Same(t) => ("same", " ", t),
                        DiffLine::Added(t) => ("added", "+", t),
                        DiffLine::Removed(t) => ("removed", "−", t),
                    };
                    view! { <span class=format!("line {class}")>{sign}" "{text}</span>"\n" }
                })
                .collect_view()}
        </code></pre>
    }
}

#[component]
pub fn Bundles() -> impl IntoView {
    let state = use_plan();
    let phases = Memo::new(move |_| {
        state.scenario.with(|s| {
            s.phases
                .iter()
                .map(|p| (p.key.clone(), p.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    // The phase the plan needs now, until one is picked.
    let picked_phase = RwSignal::new(None::<String>);
    let phase = Memo::new(move |_| {
        let all = phases.get();
        picked_phase
            .get()
            .filter(|k| all.iter().any(|(p, _)| p == k))
            .or_else(|| {
                state.evaluation.with(|e| {
                    e.as_ref()
                        .ok()
                        .and_then(|e| all.get(e.now.phase_index).map(|(k, _)| k.clone()))
                })
            })
            .or_else(|| all.first().map(|(k, _)| k.clone()))
            .unwrap_or_default()
    });
    let picked_provider = RwSignal::new(None::<ProviderId>);
    let provider = Memo::new(move |_| {
        picked_provider
            .get()
            .unwrap_or_else(|| state.scenario.with(|s| s.pricing.provider))
    });
    let compare_with = RwSignal::new(String::new());
    let selected = RwSignal::new("README.md".to_owned());

    // A saved revision, unedited, is cited in the README exactly as the server's download of
    // `?scenario=&revision=` cites it, so both build the same bytes.
    let citation = Memo::new(move |_| {
        if state.dirty.get() {
            return None;
        }
        state.saved.with(|s| {
            s.as_ref().map(|s| SavedRevision {
                id: s.id.clone(),
                name: s.name.clone(),
                revision: s.revision,
                saved_at: s.created_at.clone(),
            })
        })
    });
    let build = move |key: &str, provider: ProviderId| -> Result<Bundle, String> {
        let valid = state.valid.get().map_err(|e| e.to_string())?;
        let saved = citation.get();
        state.catalog.with_value(|c| match c {
            Ok(c) => {
                let mut spec =
                    BundleSpec::new(&valid, c, key, provider).map_err(|e| e.to_string())?;
                spec.saved = saved;
                render(&spec).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.clone()),
        })
    };
    let bundle = Memo::new(move |_| build(&phase.get(), provider.get()));
    let other = Memo::new(move |_| {
        let key = compare_with.get();
        (!key.is_empty() && key != phase.get())
            .then(|| build(&key, provider.get()).ok())
            .flatten()
    });
    let changes = Memo::new(move |_| {
        let new = bundle.get().ok()?;
        let old = other.get()?;
        Some((compare(&old, &new), new.monthly_usd - old.monthly_usd))
    });
    let files = Memo::new(move |_| {
        let listed: Vec<(String, FileChange)> = match changes.get() {
            Some((c, _)) => c,
            None => bundle.with(|b| {
                b.as_ref()
                    .map(|b| {
                        b.files
                            .iter()
                            .map(|f| (f.path.clone(), FileChange::Same))
                            .collect()
                    })
                    .unwrap_or_default()
            }),
        };
        listed
    });
    let zip_size = Memo::new(move |_| {
        bundle.with(|b| {
            b.as_ref()
                .ok()
                .and_then(|b| archive::write(b, Format::Zip).ok())
                .map(|z| z.len())
        })
    });
    let (download_error, set_download_error) = signal(None::<String>);
    let save = move |format: Format| {
        let result = bundle.with_untracked(|b| match b {
            Ok(b) => archive::write(b, format)
                .map_err(|e| e.to_string())
                .and_then(|bytes| {
                    download(
                        &format!("{}.{}", b.name(), format.extension()),
                        format.media_type(),
                        &bytes,
                    )
                }),
            Err(e) => Err(e.clone()),
        });
        set_download_error.set(result.err());
    };
    let preview = move || {
        let path = selected.get();
        let new = bundle.with(|b| {
            b.as_ref()
                .ok()
                .and_then(|b| b.file(&path).map(|f| f.contents.clone()))
        });
        let old = other.with(|o| {
            o.as_ref()
                .and_then(|b| b.file(&path).map(|f| f.contents.clone()))
        });
        match (old, new) {
            (Some(old), Some(new)) if old != new => diff_view(path, old, new).into_any(),
            (_, Some(new)) => code_view(path, new).into_any(),
            (Some(old), None) => view! {
                <p class="hint">"Not in this phase's bundle; in the compared phase it was:"</p>
                {code_view(path, old)}
            }
            .into_any(),
            (None, None) => view! { <p class="hint">"Pick a file."</p> }.into_any(),
        }
    };
    let providers = state.catalog.with_value(|c| {
        ProviderId::ALL
            .into_iter()
            .map(|id| {
                let name = c
                    .as_ref()
                    .ok()
                    .and_then(|c| c.provider(id))
                    .map_or_else(|| id.key().to_owned(), |p| p.name.clone());
                (id, name)
            })
            .collect::<Vec<_>>()
    });
    let provider_names = providers.clone();
    let provider_name = move || {
        let id = provider.get();
        provider_names
            .iter()
            .find(|(p, _)| *p == id)
            .map_or_else(|| id.key().to_owned(), |(_, n)| n.clone())
    };
    let phase_name = move |key: String| {
        phases.with(|all| {
            all.iter()
                .find(|(k, _)| *k == key)
                .map_or(key.clone(), |(_, n)| n.clone())
        })
    };

    view! {
        <header class="page-header">
            <h1>"Bundles"</h1>
            <p>
                "Ready-to-apply configuration for one phase on one provider — Terraform, Kubernetes or "
                "docker-compose, nginx, PgBouncer, PostgreSQL, Redis, alert rules, a dashboard — generated "
                "in your browser from this scenario, so the plan, the infrastructure and the alerts agree."
            </p>
        </header>

        <section class="panel toolbar" aria-label="Bundle choices">
            <div class="field">
                <label for="bundle-phase">"Phase"</label>
                <select id="bundle-phase" data-testid="bundle-phase" prop:value=move || phase.get()
                    on:change=move |ev| picked_phase.set(Some(event_target_value(&ev)))>
                    {move || phases.get().into_iter().map(|(k, n)| view! { <option value=k>{n}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="bundle-provider">"Provider"</label>
                <select id="bundle-provider" data-testid="bundle-provider" prop:value=move || provider.get().key()
                    on:change=move |ev| {
                        if let Ok(p) = ProviderId::parse("provider", &event_target_value(&ev)) {
                            picked_provider.set(Some(p));
                        }
                    }>
                    {providers.into_iter().map(|(id, n)| view! { <option value=id.key()>{n}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="bundle-compare">"Compare with"</label>
                <select id="bundle-compare" data-testid="bundle-compare" prop:value=move || compare_with.get()
                    on:change=move |ev| compare_with.set(event_target_value(&ev))>
                    <option value="">"nothing"</option>
                    {move || phases.get().into_iter().filter(|(k, _)| *k != phase.get()).map(|(k, n)| view! { <option value=k>{n}</option> }).collect_view()}
                </select>
            </div>
            <div class="buttons">
                <button type="button" data-testid="download-zip" on:click=move |_| save(Format::Zip) disabled=move || bundle.with(Result::is_err)>"Download .zip"</button>
                <button type="button" data-testid="download-targz" on:click=move |_| save(Format::TarGz) disabled=move || bundle.with(Result::is_err)>"Download .tar.gz"</button>
            </div>
        </section>

        <Show when=move || bundle.with(Result::is_err)>
            <p class="banner error" role="alert" data-testid="bundle-error">
                {move || bundle.with(|b| b.as_ref().err().map(|e| format!("No bundle for this scenario: {e}")))}
            </p>
        </Show>
        <Show when=move || download_error.with(Option::is_some)>
            <p class="banner error" role="alert">{move || download_error.get()}</p>
        </Show>

        <div class="cards">
            <div class="card">
                <div class="label">"Estimated monthly cost"</div>
                <div class="value" data-testid="bundle-cost">{move || bundle.with(|b| b.as_ref().map_or_else(|_| "—".to_owned(), |b| usd(b.monthly_usd)))}</div>
                <div class="sub">{move || format!("{} on {}, at the phase's peak", phase_name(phase.get()), provider_name())}</div>
            </div>
            <div class="card">
                <div class="label">"Files"</div>
                <div class="value" data-testid="bundle-files">{move || bundle.with(|b| b.as_ref().map_or(0, |b| b.files.len()))}</div>
                <div class="sub">{move || zip_size.get().map(|s| format!("{:.1} KB as a zip", s as f64 / 1024.0)).unwrap_or_default()}</div>
            </div>
            <Show when=move || changes.with(Option::is_some)>
                <div class="card">
                    <div class="label">{move || format!("From {} to {}", phase_name(compare_with.get()), phase_name(phase.get()))}</div>
                    <div class="value" data-testid="bundle-cost-change">
                        {move || changes.with(|c| c.as_ref().map(|(_, d)| format!("{}{} / mo", if *d >= 0.0 { "+" } else { "−" }, usd(d.abs()))))}
                    </div>
                    <div class="sub" data-testid="bundle-change-summary">
                        {move || changes.with(|c| c.as_ref().map(|(files, _)| {
                            let count = |f: fn(&FileChange) -> bool| files.iter().filter(|(_, c)| f(c)).count();
                            format!(
                                "{} changed, {} new, {} removed",
                                count(|c| matches!(c, FileChange::Changed { .. })),
                                count(|c| *c == FileChange::Added),
                                count(|c| *c == FileChange::Removed)
                            )
                        }))}
                    </div>
                </div>
            </Show>
        </div>

        <section class="panel bundle-browser" aria-label="Files of the bundle">
            <nav class="file-list" aria-label="Files">
                <ul>
                    {move || files.get().into_iter().map(|(path, change)| {
                        let p = path.clone();
                        let current = move || (selected.get() == p).then_some("true");
                        let p2 = path.clone();
                        view! {
                            <li>
                                <button type="button" class=format!("file {}", change.class()) aria-current=current
                                    data-testid=format!("file-{path}") on:click=move |_| selected.set(p2.clone())>
                                    <span class="path">{path.clone()}</span>
                                    <span class="change">{change.label()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </nav>
            <div class="file-view">
                <h2 class="file-title">{move || selected.get()}</h2>
                {preview}
            </div>
        </section>

        <section class="panel">
            <h2>"From the API"</h2>
            <p class="hint">
                "The server builds the same bytes. For the built-in default scenario: "
                <code data-testid="bundle-api">{move || format!("GET /api/v1/bundles/{}/{}.zip", phase.get(), provider.get().key())}</code>
                "; for this one, POST its JSON (the share link's scenario) to the same address. "
                "Secrets are never in a bundle: they are Terraform variables or change-me placeholders."
            </p>
        </section>
    }
}
