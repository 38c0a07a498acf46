//! Form inputs bound to one place in the scenario. Each knows the model's field path (which is
//! also how validation errors name it), so the model's own reason appears under the right input;
//! a value the model cannot even hold (not a number, a fraction where a count belongs, a warning
//! threshold above its critical one) is explained there too and never applied. [`FieldError`] is
//! the sentence under any input, for forms that talk to the server (the admin and Operations
//! pages).

use std::sync::Arc;

use leptos::prelude::*;
use phaseplan_model::scenario::Scenario;

use crate::state::use_plan;

/// Reads a number out of the scenario.
pub type Getter = Arc<dyn Fn(&Scenario) -> f64 + Send + Sync>;
/// Writes a number into the scenario, or says why it cannot.
pub type Setter = Arc<dyn Fn(&mut Scenario, f64) -> Result<(), String> + Send + Sync>;

/// One numeric input.
#[derive(Clone)]
pub struct Field {
    /// The model's field path: `workload.service_time_ms`, `phases[1].database.pool_size`.
    pub path: String,
    pub label: &'static str,
    pub unit: &'static str,
    pub help: &'static str,
    pub step: &'static str,
    pub get: Getter,
    pub set: Setter,
}

/// A whole, non-negative number for a count field (instances, connections, months).
pub fn whole(v: f64) -> Result<u32, String> {
    if v < 0.0 {
        Err("must not be negative".to_owned())
    } else if v.fract() != 0.0 {
        Err("must be a whole number".to_owned())
    } else if v > f64::from(u32::MAX) {
        Err("is too large".to_owned())
    } else {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(v as u32)
    }
}

/// The input's DOM id, derived from its path (`phases[1].app.vcpu` → `f-phases-1-app-vcpu`).
fn dom_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

/// The model's reason for `path`, when its first validation problem is there.
fn model_reason(path: String) -> Memo<Option<String>> {
    let state = use_plan();
    Memo::new(move |_| {
        state.problem.with(|p| {
            p.as_ref()
                .filter(|e| e.field == path)
                .map(|e| e.reason.to_string())
        })
    })
}

#[component]
pub fn NumberField(field: Field) -> impl IntoView {
    let state = use_plan();
    let Field {
        path,
        label,
        unit,
        help,
        step,
        get,
        set,
    } = field;
    let id = dom_id(&path);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let error = model_reason(path.clone());
    let (typed, set_typed) = signal(None::<String>);
    let edit_path = path.clone();
    let on_input = move |raw: String| {
        let parsed = raw.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let Some(v) = parsed else {
            set_typed.set(Some("must be a number".to_owned()));
            return;
        };
        let mut next = state.scenario.get_untracked();
        match set(&mut next, v) {
            Ok(()) => {
                set_typed.set(None);
                state.edit(&edit_path, move |s| *s = next);
            }
            Err(reason) => set_typed.set(Some(reason)),
        }
    };
    let message = Signal::derive(move || typed.get().or_else(|| error.get()));
    let label_for = id.clone();
    let value = move || {
        let v = state.scenario.with(|s| get(s));
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    view! {
        <div class="field">
            <label for=label_for>{label}<span class="unit">{format!(" ({unit})")}</span></label>
            <input
                id=id
                type="number"
                step=step
                data-testid=path.clone()
                aria-invalid=move || message.with(Option::is_some).to_string()
                aria-describedby=format!("{help_id} {error_id}")
                prop:value=value
                on:input=move |ev| on_input(event_target_value(&ev))
            />
            <span id=error_id class="error" role="alert" data-testid=format!("{path}-error")>
                {move || message.get()}
            </span>
            <span id=help_id class="help">{help}</span>
        </div>
    }
}

/// Reads a flag out of the scenario.
pub type FlagGetter = Arc<dyn Fn(&Scenario) -> bool + Send + Sync>;
/// Writes a flag into the scenario.
pub type FlagSetter = Arc<dyn Fn(&mut Scenario, bool) + Send + Sync>;

/// One on/off input.
#[derive(Clone)]
pub struct Toggle {
    pub path: String,
    pub label: &'static str,
    pub help: &'static str,
    pub get: FlagGetter,
    pub set: FlagSetter,
}

#[component]
pub fn ToggleField(toggle: Toggle) -> impl IntoView {
    let state = use_plan();
    let Toggle {
        path,
        label,
        help,
        get,
        set,
    } = toggle;
    let id = dom_id(&path);
    let help_id = format!("{id}-help");
    let error = model_reason(path.clone());
    let edit_path = path.clone();
    let label_for = id.clone();
    view! {
        <div class="field toggle">
            <label for=label_for>
                <input
                    id=id
                    type="checkbox"
                    data-testid=path.clone()
                    aria-describedby=help_id.clone()
                    prop:checked=move || state.scenario.with(|s| get(s))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        state.edit(&edit_path, |s| set(s, on));
                    }
                />
                {label}
            </label>
            <span class="error" role="alert" data-testid=format!("{path}-error")>{move || error.get()}</span>
            <span id=help_id class="help">{help}</span>
        </div>
    }
}

/// The sentence under an input, when there is one: a refusal of the server's (or a check made
/// here as the server makes it) about that input. Text only.
#[component]
pub fn FieldError(testid: &'static str, message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message
            .get()
            .map(|m| view! { <span class="error" role="alert" data-testid=testid>{m}</span> })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_unique_per_path() {
        assert_eq!(dom_id("phases[1].app.vcpu"), "f-phases-1-app-vcpu");
        assert_eq!(dom_id("growth.seasonality[11]"), "f-growth-seasonality-11");
        assert_ne!(dom_id("phases[1].app.vcpu"), dom_id("phases[11].app.vcpu"));
    }

    #[test]
    fn counts_must_be_whole_and_non_negative() {
        assert_eq!(whole(12.0), Ok(12));
        assert_eq!(whole(-1.0), Err("must not be negative".to_owned()));
        assert_eq!(whole(1.5), Err("must be a whole number".to_owned()));
        assert_eq!(whole(1e12), Err("is too large".to_owned()));
    }
}
