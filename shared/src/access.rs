//! Who may do what: roles, and the wire types of accounts, sessions, API tokens and the audit
//! log. The server enforces the roles; the SPA reads the same [`Role`] to show only the controls
//! a person may use, so both sides agree on one table ([`Role::may`]).

use serde::{Deserialize, Serialize};

use crate::error::{Reason, ValidationError, check_text};

/// What a signed-in person or a token may do. Ordered: each role may do everything the one
/// before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads scenarios, evaluations, bundles and live data.
    Viewer,
    /// Also saves, archives, restores and duplicates scenarios.
    Editor,
    /// Also manages users and tokens and reads the audit log.
    Admin,
}

/// What a request asks to do, as far as roles are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Any read, an evaluation, a bundle.
    Read,
    /// Saving, archiving, restoring or duplicating a scenario; recording a platform's
    /// transitions, checklist and milestones (the plan and the record of running it are edited
    /// by the same people).
    EditScenarios,
    /// Users, tokens, the audit log.
    Administer,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    /// The one table of who may do what.
    pub const fn may(self, action: Action) -> bool {
        match action {
            Action::Read => true,
            Action::EditScenarios => matches!(self, Role::Editor | Role::Admin),
            Action::Administer => matches!(self, Role::Admin),
        }
    }

    /// The wire and command-line name (`viewer`, `editor`, `admin`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// Reads a wire name back; the error lists the roles there are.
    pub fn parse(field: &str, text: &str) -> Result<Role, ValidationError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                ValidationError::new(
                    field,
                    Reason::NotOneOf {
                        got: text.to_owned(),
                        known: Role::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
                    },
                )
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest account or token name.
pub const MAX_ACCOUNT_NAME: usize = 64;
/// Shortest and longest password. The upper bound keeps a sign-in from making the server hash
/// megabytes.
pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 1_024;
/// Longest lifetime a token may be given, in days.
pub const MAX_TOKEN_DAYS: u32 = 3_650;

/// Checks an account or token name: 1–64 of `[A-Za-z0-9._-]`, starting with a letter or digit.
/// Names go into logs, the audit log, URLs and `created_by`; nothing in them can break a line
/// or a path.
pub fn check_name(field: &str, name: &str) -> Result<(), ValidationError> {
    check_text(field, name, true, MAX_ACCOUNT_NAME)?;
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(field, Reason::BadAccountName))
    }
}

/// Checks a new password's length (in characters). Any character is allowed: it is hashed,
/// never shown.
pub fn check_password(field: &str, password: &str) -> Result<(), ValidationError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        Err(ValidationError::new(
            field,
            Reason::TooShort { min: MIN_PASSWORD },
        ))
    } else if n > MAX_PASSWORD {
        Err(ValidationError::new(
            field,
            Reason::TooLong { max: MAX_PASSWORD },
        ))
    } else {
        Ok(())
    }
}

/// How the server decides who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// Nobody signs in: everyone is the local admin. Allowed only on a loopback address.
    None,
    /// Accounts and tokens; everything but health and sign-in needs one.
    Users,
}

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Credential {
    /// `auth = "none"`: the person at this machine.
    Local,
    /// A session cookie from signing in.
    Session,
    /// An API token (`Authorization: Bearer …`).
    Token,
}

/// `POST /api/v1/session` request body.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// Never prints the password.
impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("name", &self.name)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `GET /api/v1/me` (and a sign-in's) response body: who the server takes the caller for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The user's name; `token:NAME` for a token; `local` without sign-in.
    pub name: String,
    pub role: Role,
    pub auth: AuthMode,
    pub via: Credential,
}

/// `POST /api/v1/users` request body.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    /// At least 10 characters.
    pub password: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl NewUser {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("name", &self.name)?;
        check_password("password", &self.password)
    }
}

/// One account (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub name: String,
    pub role: Role,
    /// RFC 3339 (UTC).
    pub created_at: String,
}

/// `GET /api/v1/users` response body, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserList {
    pub users: Vec<User>,
}

/// `POST /api/v1/tokens` request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    /// Days until it stops working (1–3650); without it, until revoked.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

impl NewToken {
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name("name", &self.name)?;
        match self.expires_in_days {
            Some(d) if d == 0 || d > MAX_TOKEN_DAYS => Err(ValidationError::new(
                "expires_in_days",
                Reason::OutOfRange {
                    min: 1.0,
                    max: f64::from(MAX_TOKEN_DAYS),
                },
            )),
            _ => Ok(()),
        }
    }
}

/// One API token, as listed (never its secret, which only its creation shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Token {
    pub name: String,
    pub role: Role,
    /// RFC 3339 (UTC), as every time below.
    pub created_at: String,
    pub created_by: String,
    /// To the minute: a token's use is recorded at most once a minute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

/// `POST /api/v1/tokens` response body: the secret, shown this once, and the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    /// `Authorization: Bearer <secret>`. The server keeps only its hash.
    pub secret: String,
    pub token: Token,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("secret", &"<redacted>")
            .field("token", &self.token)
            .finish()
    }
}

/// `GET /api/v1/tokens` response body, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tokens {
    pub tokens: Vec<Token>,
}

/// What an audited write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    SignOut,
    ScenarioCreate,
    ScenarioSave,
    ScenarioArchive,
    ScenarioRestore,
    ScenarioDuplicate,
    UserAdd,
    UserPassword,
    UserRemove,
    TokenCreate,
    TokenRevoke,
    PlatformCreate,
    PlatformEdit,
    PlatformTransition,
    ChecklistAdd,
    ChecklistEdit,
    MilestoneEdit,
    ChannelAdd,
    ChannelEdit,
    ChannelRemove,
    RuleAdd,
    RuleRemove,
}

impl AuditAction {
    pub const ALL: [AuditAction; 23] = [
        AuditAction::SignIn,
        AuditAction::SignOut,
        AuditAction::ScenarioCreate,
        AuditAction::ScenarioSave,
        AuditAction::ScenarioArchive,
        AuditAction::ScenarioRestore,
        AuditAction::ScenarioDuplicate,
        AuditAction::UserAdd,
        AuditAction::UserPassword,
        AuditAction::UserRemove,
        AuditAction::TokenCreate,
        AuditAction::TokenRevoke,
        AuditAction::PlatformCreate,
        AuditAction::PlatformEdit,
        AuditAction::PlatformTransition,
        AuditAction::ChecklistAdd,
        AuditAction::ChecklistEdit,
        AuditAction::MilestoneEdit,
        AuditAction::ChannelAdd,
        AuditAction::ChannelEdit,
        AuditAction::ChannelRemove,
        AuditAction::RuleAdd,
        AuditAction::RuleRemove,
    ];

    /// The stored and wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignOut => "sign_out",
            AuditAction::ScenarioCreate => "scenario_create",
            AuditAction::ScenarioSave => "scenario_save",
            AuditAction::ScenarioArchive => "scenario_archive",
            AuditAction::ScenarioRestore => "scenario_restore",
            AuditAction::ScenarioDuplicate => "scenario_duplicate",
            AuditAction::UserAdd => "user_add",
            AuditAction::UserPassword => "user_password",
            AuditAction::UserRemove => "user_remove",
            AuditAction::TokenCreate => "token_create",
            AuditAction::TokenRevoke => "token_revoke",
            AuditAction::PlatformCreate => "platform_create",
            AuditAction::PlatformEdit => "platform_edit",
            AuditAction::PlatformTransition => "platform_transition",
            AuditAction::ChecklistAdd => "checklist_add",
            AuditAction::ChecklistEdit => "checklist_edit",
            AuditAction::MilestoneEdit => "milestone_edit",
            AuditAction::ChannelAdd => "channel_add",
            AuditAction::ChannelEdit => "channel_edit",
            AuditAction::ChannelRemove => "channel_remove",
            AuditAction::RuleAdd => "rule_add",
            AuditAction::RuleRemove => "rule_remove",
        }
    }

    pub fn parse(text: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// One audited write: who, when, what, from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// RFC 3339 (UTC).
    pub at: String,
    /// As in [`Me::name`].
    pub actor: String,
    pub action: AuditAction,
    /// What it acted on: a scenario id (and revision), a user or token name.
    pub target: String,
    /// The client's address (behind trusted proxies, the one they name).
    pub address: String,
}

/// `GET /api/v1/audit` response body, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `cursor` for older entries; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_what_the_one_before_may() {
        for action in [Action::Read, Action::EditScenarios, Action::Administer] {
            for pair in Role::ALL.windows(2) {
                assert!(!pair[0].may(action) || pair[1].may(action), "{action:?}");
            }
        }
        assert!(!Role::Viewer.may(Action::EditScenarios));
        assert!(Role::Editor.may(Action::EditScenarios));
        assert!(!Role::Editor.may(Action::Administer));
        assert!(Role::Admin.may(Action::Administer));
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_name("name", "ada.lovelace-2_x").is_ok());
        for bad in [
            "",
            "-ada",
            "ada lovelace",
            "ada/..",
            "åsa",
            "a\nb",
            &"a".repeat(65),
        ] {
            assert!(check_name("name", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_password("password", "short").unwrap_err().reason,
            Reason::TooShort { min: MIN_PASSWORD }
        );
        assert!(check_password("password", "correct horse").is_ok());
        assert!(check_password("password", &"x".repeat(MAX_PASSWORD + 1)).is_err());
    }

    #[test]
    fn wire_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse("role", r.as_str()).unwrap(), r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!(Role::parse("role", "root").is_err());
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
    }

    #[test]
    fn secrets_never_print() {
        let s = SignIn {
            name: "ada".into(),
            password: "hunter2hunter2".into(),
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        let u = NewUser {
            name: "ada".into(),
            role: Role::Admin,
            password: "hunter2hunter2".into(),
        };
        assert!(!format!("{u:?}").contains("hunter2"));
    }
}
