//! The admin page: accounts, API tokens and the audit log, for admins only (the server refuses
//! the rest with 403; this page says so instead of showing forms that would be refused). Every
//! text from the server is rendered as text. A change made here (a user added, a token revoked)
//! reloads the audit log's first page, so the log shows it at once.

mod audit;
mod tokens;
mod users;

use leptos::prelude::*;
use phaseplan_model::ValidationError;
use phaseplan_model::access::{Action, Role};

use crate::api::ApiError;
use crate::format::sentence;
use crate::session::use_session;
use crate::widgets::field::FieldError;

#[component]
pub fn AdminPage() -> impl IntoView {
    let session = use_session();
    // Bumped by every change made on this page; the audit log reloads on it.
    let changes = RwSignal::new(0_u32);
    view! {
        <header class="page-header">
            <h1>"Admin"</h1>
            <p>
                "Who may use this server: accounts (people, with a password) and API tokens \
                 (scripts, CI), each with a role, and the audit log of every write."
            </p>
        </header>
        <Show
            when=move || session.may(Action::Administer)
            fallback=|| view! {
                <section class="panel" data-testid="admin-refused">
                    <p>"Only an admin can manage accounts and tokens or read the audit log."</p>
                </section>
            }
        >
            <Show when=move || !session.has_sign_in()>
                <p class="banner note" data-testid="admin-no-sign-in">
                    "This server has no sign-in (auth = \"none\"): everyone at this machine is \
                     the admin. Accounts and tokens take effect once it runs with auth = \"users\"."
                </p>
            </Show>
            <users::UsersPanel changes=changes />
            <tokens::TokensPanel changes=changes />
            <audit::AuditPanel changes=changes />
        </Show>
    }
}

/// A refusal to show beside a form: which input it is about (`None`: the form as a whole) and
/// the sentence, naming the field.
#[derive(Debug, Clone, PartialEq)]
struct Problem {
    field: Option<String>,
    message: String,
}

impl Problem {
    /// A check made here before sending, as the server would make it.
    fn checked(e: &ValidationError) -> Problem {
        Problem {
            field: Some(e.field.clone()),
            message: format!("{} {}.", label(&e.field), e.reason),
        }
    }

    /// The server's refusal; `taken_field` is the input a 409 (name taken) is about.
    fn refused(e: &ApiError, taken_field: Option<&str>) -> Problem {
        let field = e.field().map(str::to_owned).or_else(|| match e {
            ApiError::Server { status: 409, .. } => taken_field.map(str::to_owned),
            _ => None,
        });
        Problem {
            field,
            message: sentence(&e.message()),
        }
    }

    /// The sentence for `field`'s input, if the problem is about it.
    fn about(this: Option<Problem>, field: &str) -> Option<String> {
        this.filter(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message)
    }

    /// The sentence for the form as a whole, if the problem is about no input of `fields`.
    fn general(this: Option<Problem>, fields: &[&str]) -> Option<String> {
        this.filter(|p| p.field.as_deref().is_none_or(|f| !fields.contains(&f)))
            .map(|p| p.message)
    }
}

/// What a field is called on this page.
fn label(field: &str) -> &str {
    match field {
        "name" => "The name",
        "password" => "The password",
        "role" => "The role",
        "expires_in_days" => "Expires in (days)",
        other => other,
    }
}

/// What a role may do, in the role pickers.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::Viewer => "viewer: reads",
        Role::Editor => "editor: also saves scenarios",
        Role::Admin => "admin: also accounts, tokens, audit",
    }
}

/// A role picker bound to `role`.
#[component]
fn RoleSelect(id: &'static str, testid: &'static str, role: RwSignal<Role>) -> impl IntoView {
    view! {
        <select
            id=id
            data-testid=testid
            on:change=move |ev| {
                if let Ok(r) = Role::parse("role", &event_target_value(&ev)) {
                    role.set(r);
                }
            }
        >
            {Role::ALL
                .into_iter()
                .map(|r| view! {
                    <option value=r.as_str() prop:selected=move || role.get() == r>
                        {role_label(r)}
                    </option>
                })
                .collect_view()}
        </select>
    }
}

/// An account or token name input (1–64 of `[A-Za-z0-9._-]`: no capitals forced, no
/// spelling help), its label, and the reason under it when the name is refused.
#[component]
fn NameField(
    id: &'static str,
    testid: &'static str,
    error_testid: &'static str,
    #[prop(optional)] placeholder: &'static str,
    name: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Name"</label>
            <input
                id=id
                type="text"
                data-testid=testid
                placeholder=placeholder
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                maxlength="64"
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <FieldError testid=error_testid message=error />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phaseplan_model::access::{check_name, check_password};
    use phaseplan_model::api::{ErrorBody, ErrorCode};

    #[test]
    fn checks_name_their_field() {
        let Err(e) = check_password("password", "short") else {
            panic!("a short password passed");
        };
        let p = Problem::checked(&e);
        assert_eq!(p.field.as_deref(), Some("password"));
        assert_eq!(
            p.message,
            "The password must be at least 10 characters long."
        );
        let Err(e) = check_name("name", "-x") else {
            panic!("a bad name passed");
        };
        assert!(Problem::checked(&e).message.starts_with("The name must be"));
    }

    #[test]
    fn a_taken_name_is_about_the_name_and_a_last_admin_about_the_form() {
        let conflict = |message: &str| ApiError::Server {
            status: 409,
            body: ErrorBody::new(ErrorCode::Conflict, message, None),
            retry_after: None,
        };
        let taken = Problem::refused(&conflict("an account named ada exists"), Some("name"));
        assert_eq!(
            Problem::about(Some(taken.clone()), "name").as_deref(),
            Some("An account named ada exists.")
        );
        assert_eq!(Problem::general(Some(taken), &["name", "password"]), None);
        let last = Problem::refused(&conflict("the last admin cannot be removed"), None);
        assert_eq!(
            Problem::general(Some(last), &["name"]).as_deref(),
            Some("The last admin cannot be removed.")
        );
    }
}
