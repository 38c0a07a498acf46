//! Who is using the app, as the server sees it. Asked once at start (`GET /api/v1/me`), and
//! settled again by signing in or out. A server with `auth = "users"` answers 401 to a browser
//! without a session: then the app shows the sign-in page instead of itself. Any later 401 (the
//! session expired, or was ended elsewhere) brings the sign-in page back through
//! [`Session::check`]; the plan survives it, because it lives in the address bar.
//!
//! The controls a person may use follow [`Role::may`], the same table the server enforces; the
//! server still decides, this only keeps people from pressing buttons that would be refused.

use leptos::prelude::*;
use phaseplan_model::access::{Action, AuthMode, Me};

use crate::api::{self, ApiError};

/// How long the app waits for `/api/v1/me` before it starts without knowing (the what-ifs need
/// no server, so a server that does not answer must not keep the app from starting).
const ASK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// What the app knows about the person in front of it.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// Asking the server.
    Asking,
    /// The server requires sign-in and this browser has no valid session. `ended` says that one
    /// was there and is gone (expired, or signed out elsewhere), so the page can say why.
    SignInNeeded { ended: bool },
    /// Who the server takes this browser for (with `auth = "none"`: the local admin).
    Known(Me),
    /// The server could not be asked (down, offline, too slow): the app runs on its own and
    /// the server decides each request.
    Unknown,
}

/// What the app shows: itself, or the sign-in page. Only a change of this rebuilds the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Waiting,
    SignIn,
    Open,
}

/// The app-wide session state (Leptos context). `Copy`: an arena handle.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub standing: RwSignal<Standing>,
    pub gate: Memo<Gate>,
}

/// Creates the session state, asks the server who this is, and provides it as context.
pub fn provide_session() -> Session {
    let standing = RwSignal::new(Standing::Asking);
    let gate = Memo::new(move |_| {
        standing.with(|s| match s {
            Standing::Asking => Gate::Waiting,
            Standing::SignInNeeded { .. } => Gate::SignIn,
            Standing::Known(_) | Standing::Unknown => Gate::Open,
        })
    });
    let session = Session { standing, gate };
    leptos::task::spawn_local(async move {
        let answer = api::me().await;
        standing.set(match answer {
            Ok(me) => Standing::Known(me),
            Err(e) if e.is_unauthorized() => Standing::SignInNeeded { ended: false },
            Err(_) => Standing::Unknown,
        });
    });
    set_timeout(
        move || {
            if standing.with_untracked(|s| *s == Standing::Asking) {
                standing.set(Standing::Unknown);
            }
        },
        ASK_PATIENCE,
    );
    provide_context(session);
    session
}

/// The state provided by [`provide_session`].
pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    /// The signed-in person (or the local admin, or a token), when known. Tracked.
    pub fn me(&self) -> Option<Me> {
        self.standing.with(|s| match s {
            Standing::Known(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Whether to offer the controls for `action`. Tracked. When the server could not be asked
    /// the scenario controls stay (the server refuses what it must, and says why); the admin
    /// page's entry needs a known admin.
    pub fn may(&self, action: Action) -> bool {
        self.standing.with(|s| match s {
            Standing::Known(me) => me.role.may(action),
            Standing::Unknown => action != Action::Administer,
            Standing::Asking | Standing::SignInNeeded { .. } => false,
        })
    }

    /// Whether this server has sign-in at all (`auth = "users"`). Tracked.
    pub fn has_sign_in(&self) -> bool {
        self.standing.with(|s| match s {
            Standing::Known(me) => me.auth == AuthMode::Users,
            Standing::SignInNeeded { .. } => true,
            Standing::Asking | Standing::Unknown => false,
        })
    }

    /// Signed in: the app opens as `me`.
    pub fn signed_in(&self, me: Me) {
        self.standing.set(Standing::Known(me));
    }

    /// Signed out here: the sign-in page, without a note.
    pub fn signed_out(&self) {
        self.standing.set(Standing::SignInNeeded { ended: false });
    }

    /// Passes an API answer on; a 401 means the session is gone, so the sign-in page comes
    /// back. Every caller of a guarded route hands its answer through this.
    pub fn check<T>(&self, answer: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(e) = &answer
            && e.is_unauthorized()
        {
            let was = self.standing.with_untracked(|s| match s {
                Standing::Known(_) => Some(true),
                Standing::Unknown => Some(false),
                Standing::Asking | Standing::SignInNeeded { .. } => None,
            });
            if let Some(ended) = was {
                self.standing.set(Standing::SignInNeeded { ended });
            }
        }
        answer
    }
}
