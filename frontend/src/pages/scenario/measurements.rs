//! The app tier's load-test measurements: the points the Universal Scalability Law is fitted to
//! (nonlinear least squares, in the browser), edited by hand or imported from the files load
//! tools write (k6, JMeter, Locust, wrk, hey, oha, a plain CSV) by dropping them here or picking
//! them. An import is shown first and used only when accepted, as one undoable edit.

use leptos::prelude::*;
use leptos::task::spawn_local;
use phaseplan_model::capacity::usl::UslFit;
use phaseplan_model::measurements::parse::{Format, Options, Parsed, parse};
use phaseplan_model::scenario::Measurement;
use wasm_bindgen::JsCast;

use crate::format::thousands;
use crate::state::{PlanState, use_plan};

const FIELD: &str = "workload.app_scaling.measured";

/// A number to three significant figures, for coefficients and measurements (`20`, `0.0420`,
/// `2.14e-4`); whole numbers as they are.
pub fn sig3(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    if x.fract() == 0.0 && x.abs() < 1e6 {
        return format!("{x:.0}");
    }
    if x.abs() < 1e-3 {
        return format!("{x:.2e}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// A throughput: whole thousands from 100 up, three figures below.
pub fn rate(x: f64) -> String {
    if x.abs() >= 100.0 {
        thousands(x)
    } else {
        sig3(x)
    }
}

/// The fit of some measurements: `None` with none, else the fit or why there is none.
pub type FitOutcome = Option<Result<UslFit, String>>;

/// The fit of the scenario's measurements, or why there is none.
pub fn fit_of(measured: &[Measurement]) -> FitOutcome {
    if measured.is_empty() {
        return None;
    }
    let points: Vec<(f64, f64)> = measured
        .iter()
        .map(|m| (m.instances, m.throughput_rps))
        .collect();
    Some(UslFit::fit(&points).map_err(|e| e.to_string()))
}

/// The scenario's measurements and their fit, as memos: the Scenario and Capacity panels read
/// the same two.
pub fn measured_fit(state: PlanState) -> (Memo<Vec<Measurement>>, Memo<FitOutcome>) {
    let measured = Memo::new(move |_| {
        state
            .scenario
            .with(|s| s.workload.app_scaling.measured.clone())
    });
    let fit = Memo::new(move |_| measured.with(|m| fit_of(m)));
    (measured, fit)
}

/// A file read and parsed: its name and what came of it.
#[derive(Debug, Clone, PartialEq)]
struct Imported {
    names: Vec<String>,
    parsed: Result<Parsed, String>,
}

/// Reads and parses `files` (several runs may come as several files), each in `format` or the
/// format its content shows.
async fn import(files: Vec<web_sys::File>, format: Option<Format>, options: Options) -> Imported {
    let mut all = Parsed::default();
    let mut names = Vec::new();
    for file in files {
        let name = file.name();
        names.push(name.clone());
        let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(t) => t.as_string().unwrap_or_default(),
            Err(_) => {
                return Imported {
                    names,
                    parsed: Err(format!("{name}: the browser could not read the file")),
                };
            }
        };
        let Some(f) = format.or_else(|| Format::detect(&name, &text)) else {
            return Imported {
                names,
                parsed: Err(format!(
                    "{name}: the format is not recognised; pick it in the list"
                )),
            };
        };
        match parse(f, &text, &options) {
            Ok(p) => {
                all.points.extend(p.points);
                all.warnings
                    .extend(p.warnings.into_iter().map(|w| format!("{name}: {w}")));
            }
            Err(e) => {
                return Imported {
                    names,
                    parsed: Err(format!("{name} ({}): {e}", f.label())),
                };
            }
        }
    }
    Imported {
        names,
        parsed: Ok(all),
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

#[component]
pub fn MeasurementsEditor() -> impl IntoView {
    let state = use_plan();
    let (measured, fit) = measured_fit(state);
    let problem = Memo::new(move |_| {
        state.problem.with(|p| {
            p.as_ref()
                .filter(|e| e.field.starts_with(FIELD))
                .map(ToString::to_string)
        })
    });
    let format: RwSignal<Option<Format>> = RwSignal::new(None);
    let given = RwSignal::new(String::new());
    let imported: RwSignal<Option<Imported>> = RwSignal::new(None);
    let reading = RwSignal::new(false);
    let over = RwSignal::new(false);
    let add_n = RwSignal::new(String::new());
    let add_x = RwSignal::new(String::new());
    let add_error: RwSignal<Option<String>> = RwSignal::new(None);

    let start_import = move |files: Vec<web_sys::File>| {
        if files.is_empty() {
            return;
        }
        let concurrency = given.get_untracked().trim().parse::<f64>().ok();
        reading.set(true);
        let f = format.get_untracked();
        spawn_local(async move {
            let got = import(files, f, Options { concurrency }).await;
            reading.set(false);
            imported.set(Some(got));
        });
    };
    let accept = move |_| {
        let Some(Imported { parsed: Ok(p), .. }) = imported.get_untracked() else {
            return;
        };
        state.edit(FIELD, move |s| {
            s.workload.app_scaling.measured = p
                .points
                .iter()
                .map(|p| Measurement {
                    instances: p.concurrency,
                    throughput_rps: p.throughput,
                })
                .collect();
        });
        imported.set(None);
    };
    let add = move |_| {
        let n = add_n.get_untracked().trim().parse::<f64>();
        let x = add_x.get_untracked().trim().parse::<f64>();
        match (n, x) {
            (Ok(n), Ok(x)) if n.is_finite() && x.is_finite() && n > 0.0 && x > 0.0 => {
                add_error.set(None);
                state.edit(FIELD, move |s| {
                    s.workload.app_scaling.measured.push(Measurement {
                        instances: n,
                        throughput_rps: x,
                    });
                });
                add_n.set(String::new());
                add_x.set(String::new());
            }
            _ => add_error.set(Some(
                "Instances and throughput must both be numbers above 0.".to_owned(),
            )),
        }
    };
    let remove = move |i: usize| {
        state.edit(FIELD, move |s| {
            if i < s.workload.app_scaling.measured.len() {
                s.workload.app_scaling.measured.remove(i);
            }
        });
    };

    view! {
        <section class="panel" aria-labelledby="group-measurements" data-testid="measurements">
            <h2 id="group-measurements">"Load-test measurements"</h2>
            <p class="help">
                "Throughput of the app tier measured at several instance counts (or load levels). "
                "With three or more different counts, the scalability law's contention σ and "
                "coherency κ are fitted to them (nonlinear least squares) and replace the stated "
                "ones; the Capacity page draws the fit."
            </p>
            <div class="grid-2 even">
                <div>
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Measurements">
                        <table class="data" data-testid="measured-table">
                            <thead><tr>
                                <th scope="col">"Instances"</th>
                                <th scope="col">"Throughput (req/s)"</th>
                                <th scope="col">"Residual"</th>
                                <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                            </tr></thead>
                            <tbody>
                                {move || {
                                    let residuals = fit.with(|f| f.as_ref().and_then(|f| f.as_ref().ok()).map(|f| f.residuals.clone()));
                                    measured.get().into_iter().enumerate().map(|(i, m)| {
                                        let r = residuals.as_ref().and_then(|r| r.get(i).copied());
                                        view! {
                                            <tr data-testid="measured-row">
                                                <td class="num">{sig3(m.instances)}</td>
                                                <td class="num">{rate(m.throughput_rps)}</td>
                                                <td class="num">{r.map_or_else(|| "—".to_owned(), |r| format!("{r:+.1}"))}</td>
                                                <td>
                                                    <button type="button" class="secondary small" data-testid="measured-remove"
                                                        aria-label=format!("Remove the measurement at {}", sig3(m.instances))
                                                        on:click=move |_| remove(i)>"Remove"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || measured.with(Vec::is_empty)>
                        <p class="muted" data-testid="measured-empty">"No measurements: the stated σ and κ apply."</p>
                    </Show>
                    <div class="fields inline">
                        <div class="field">
                            <label for="measured-add-n">"Instances"</label>
                            <input id="measured-add-n" type="number" min="0" step="1" data-testid="measured-add-n"
                                prop:value=move || add_n.get() on:input=move |ev| add_n.set(event_target_value(&ev)) />
                        </div>
                        <div class="field">
                            <label for="measured-add-x">"Throughput (req/s)"</label>
                            <input id="measured-add-x" type="number" min="0" step="any" data-testid="measured-add-x"
                                prop:value=move || add_x.get() on:input=move |ev| add_x.set(event_target_value(&ev)) />
                        </div>
                        <button type="button" data-testid="measured-add" on:click=add>"Add"</button>
                    </div>
                    {move || add_error.get().map(|e| view! { <p class="error" role="alert" data-testid="measured-add-error">{e}</p> })}
                    {move || problem.get().map(|e| view! { <p class="error" role="alert" data-testid="measured-error">{e}</p> })}
                </div>
                <div data-testid="fit-quality">
                    <h3>"The fit"</h3>
                    {move || match fit.get() {
                        None => view! { <p class="muted">"Nothing to fit yet."</p> }.into_any(),
                        Some(Err(e)) => view! { <p class="error" role="alert" data-testid="fit-error">{format!("Cannot fit: {e}.")}</p> }.into_any(),
                        Some(Ok(f)) => fit_summary(&f).into_any(),
                    }}
                </div>
            </div>

            <h3>"Import"</h3>
            <div class="fields inline">
                <div class="field">
                    <label for="measured-format">"Format"</label>
                    <select id="measured-format" data-testid="measured-format"
                        on:change=move |ev| format.set(Format::from_key(&event_target_value(&ev)))>
                        <option value="">"Recognise from the file"</option>
                        {Format::ALL.into_iter().map(|f| view! { <option value=f.key()>{f.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="measured-concurrency">"Concurrency, if the file has none"</label>
                    <input id="measured-concurrency" type="number" min="0" step="1" data-testid="measured-concurrency"
                        prop:value=move || given.get() on:input=move |ev| given.set(event_target_value(&ev)) />
                </div>
            </div>
            <label
                class="drop-zone"
                class:over=move || over.get()
                data-testid="measured-drop"
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); over.set(true); }
                on:dragleave=move |_| over.set(false)
                on:drop=move |ev: leptos::ev::DragEvent| {
                    ev.prevent_default();
                    over.set(false);
                    start_import(files_of(ev.data_transfer().and_then(|d| d.files())));
                }
            >
                <span>"Drop load-test files here, or choose them"</span>
                <input type="file" multiple data-testid="measured-file"
                    accept=".json,.csv,.jtl,.txt,.log,text/csv,text/plain,application/json"
                    on:change=move |ev| {
                        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
                        start_import(files_of(input.as_ref().and_then(web_sys::HtmlInputElement::files)));
                        if let Some(i) = input { i.set_value(""); }
                    } />
            </label>
            <Show when=move || reading.get()>
                <p class="muted" aria-live="polite">"Reading…"</p>
            </Show>
            {move || imported.get().map(|i| preview(i, accept, move || imported.set(None)))}
        </section>
    }
}

/// The fit's numbers: coefficients with their intervals, R², the peak and the point of
/// diminishing returns.
pub fn fit_summary(f: &UslFit) -> impl IntoView + use<> {
    let u = f.usl;
    let interval = |k: usize| {
        f.intervals.as_ref().map_or_else(String::new, |i| {
            let [lo, hi] = [i.lambda, i.sigma, i.kappa][k];
            format!(" (95 %: {} – {})", sig3(lo), sig3(hi))
        })
    };
    let peak = f.peak().map_or_else(
        || "none: κ = 0, throughput only flattens out".to_owned(),
        |(n, x)| format!("{} instances, {} req/s", sig3(n), rate(x)),
    );
    let diminishing = if u.sigma > 0.0 {
        format!("{} instances (1/σ)", sig3(1.0 / u.sigma))
    } else {
        "none: σ = 0".to_owned()
    };
    view! {
        <dl class="facts" data-testid="fit-facts">
            <dt>"σ (contention)"</dt><dd data-testid="fit-sigma">{format!("{}{}", sig3(u.sigma), interval(1))}</dd>
            <dt>"κ (coherency)"</dt><dd data-testid="fit-kappa">{format!("{}{}", sig3(u.kappa), interval(2))}</dd>
            <dt>"λ (one instance)"</dt><dd>{format!("{} req/s{}", sig3(u.lambda), interval(0))}</dd>
            <dt>"R²"</dt><dd data-testid="fit-r2">{format!("{:.3}", f.r_squared)}</dd>
            <dt>"Peak"</dt><dd data-testid="fit-peak">{peak}</dd>
            <dt>"Diminishing returns from"</dt><dd>{diminishing}</dd>
        </dl>
        {f.intervals.is_none().then(|| view! {
            <p class="help">"Intervals need measurements at four or more instance counts."</p>
        })}
    }
}

/// What an import found, to accept or discard.
fn preview(
    i: Imported,
    accept: impl Fn(leptos::ev::MouseEvent) + Copy + 'static,
    discard: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let files = i.names.join(", ");
    match i.parsed {
        Err(e) => view! {
            <div class="import-preview" data-testid="import-preview">
                <p class="error" role="alert" data-testid="import-error">{e}</p>
                <button type="button" class="secondary" on:click=move |_| discard()>"Dismiss"</button>
            </div>
        }
        .into_any(),
        Ok(p) => {
            let n = p.points.len();
            let xy: Vec<(f64, f64)> = p.points.iter().map(|p| (p.concurrency, p.throughput)).collect();
            let quality = UslFit::fit(&xy).map_or_else(
                |e| format!("These points cannot be fitted: {e}."),
                |f| format!("Fit: σ {}, κ {}, R² {:.3}.", sig3(f.usl.sigma), sig3(f.usl.kappa), f.r_squared),
            );
            view! {
                <div class="import-preview" data-testid="import-preview">
                    <p>{format!("{files}: {n} measurement{}.", if n == 1 { "" } else { "s" })}" "{quality}</p>
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Imported measurements">
                        <table class="data" data-testid="import-table">
                            <thead><tr>
                                <th scope="col">"Concurrency"</th>
                                <th scope="col">"Throughput (req/s)"</th>
                                <th scope="col">"Mean latency"</th>
                                <th scope="col">"p95"</th>
                            </tr></thead>
                            <tbody>
                                {p.points.iter().map(|p| view! {
                                    <tr data-testid="import-row">
                                        <td class="num">{sig3(p.concurrency)}</td>
                                        <td class="num">{rate(p.throughput)}</td>
                                        <td class="num">{p.latency_ms.map_or_else(|| "—".to_owned(), |l| format!("{} ms", sig3(l)))}</td>
                                        <td class="num">{p.latency_percentiles_ms.and_then(|x| x.p95).map_or_else(|| "—".to_owned(), |l| format!("{} ms", sig3(l)))}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(!p.warnings.is_empty()).then(|| view! {
                        <ul class="warnings" data-testid="import-warnings">
                            {p.warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    })}
                    <div class="buttons">
                        <button type="button" data-testid="import-accept" on:click=accept>
                            {format!("Use these {n} measurements")}
                        </button>
                        <button type="button" class="secondary" data-testid="import-discard" on:click=move |_| discard()>"Discard"</button>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(sig3(20.0), "20");
        assert_eq!(sig3(0.042_04), "0.0420");
        assert_eq!(sig3(21.13), "21.1");
        assert_eq!(sig3(0.000_214), "2.14e-4");
        assert_eq!(rate(8.06), "8.06");
        assert_eq!(rate(15_319.44), "15,319");
    }

    #[test]
    fn the_scenario_fit_needs_three_instance_counts() {
        assert!(fit_of(&[]).is_none());
        let one = [Measurement {
            instances: 4.0,
            throughput_rps: 350.0,
        }];
        assert!(fit_of(&one).unwrap().unwrap_err().contains("3 or more"));
    }
}
