//! The account commands of the binary (`phaseplan user …`, `phaseplan token …`): the same
//! store and checks as the API, so an account made here signs in there. Each returns what to
//! print on standard output, or a one-line reason; the caller sets the exit code.

use std::io::BufRead as _;

use phaseplan_model::access::{NewToken, NewUser, Role, check_name, check_password};

use crate::auth::{TOKEN_PREFIX, password};
use crate::config::{Settings, TokenCommand, UserCommand};
use crate::store::{Actor, Secret, Store, now_ms, rfc3339};

/// The audit log's name for these commands.
const CLI: Actor<'static> = Actor {
    name: "cli",
    address: "command line",
};

/// Where a password comes from.
pub trait Passwords {
    /// The password for `name`, read once (`--password-stdin`) or asked twice.
    fn password(&mut self, name: &str, from_stdin: bool) -> Result<String, String>;
}

/// Standard input, or the terminal without echo.
#[derive(Debug)]
pub struct Terminal;

impl Passwords for Terminal {
    fn password(&mut self, name: &str, from_stdin: bool) -> Result<String, String> {
        if from_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
        }
        let first = rpassword::prompt_password(format!("Password for {name}: ")).map_err(|e| {
            format!("cannot ask for a password ({e}); pass --password-stdin to read it from standard input")
        })?;
        let again = rpassword::prompt_password("Again: ")
            .map_err(|e| format!("cannot ask for a password: {e}"))?;
        if first != again {
            return Err("the two passwords differ".to_owned());
        }
        Ok(first)
    }
}

async fn open(settings: &Settings) -> Result<Store, String> {
    Store::open(settings.database_url.as_ref(), settings.data_dir.as_deref())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

/// A new password for an existing account: checked like the API's, then hashed.
fn checked_password(p: String) -> Result<String, String> {
    check_password("password", &p).map_err(|e| e.to_string())?;
    password::hash(&p).map_err(|e| e.to_string())
}

/// Runs a `user` command.
pub async fn user(
    settings: &Settings,
    command: &UserCommand,
    passwords: &mut impl Passwords,
) -> Result<String, String> {
    let store = open(settings).await?;
    let out = match command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            check_name("name", name).map_err(|e| e.to_string())?;
            let role = Role::from(*role);
            let password = passwords.password(name, *password_stdin)?;
            NewUser {
                name: name.clone(),
                role,
                password: password.clone(),
            }
            .validate()
            .map_err(|e| e.to_string())?;
            let hash = password::hash(&password).map_err(|e| e.to_string())?;
            store
                .add_user(name, role, &hash, &CLI)
                .await
                .map_err(|e| e.to_string())?;
            format!("added {name} ({role})\n")
        }
        UserCommand::List => {
            let users = store.users().await.map_err(|e| e.to_string())?;
            let mut out = String::from("NAME\tROLE\tCREATED\n");
            for u in users {
                out.push_str(&format!("{}\t{}\t{}\n", u.name, u.role, u.created_at));
            }
            out
        }
        UserCommand::Passwd {
            name,
            password_stdin,
        } => {
            check_name("name", name).map_err(|e| e.to_string())?;
            if store
                .credentials(name)
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                return Err(format!("no user named {name:?}"));
            }
            let hash = checked_password(passwords.password(name, *password_stdin)?)?;
            store
                .set_password(name, &hash, &CLI)
                .await
                .map_err(|e| e.to_string())?;
            format!("changed the password of {name}; their sessions have ended\n")
        }
        UserCommand::Remove { name } => {
            check_name("name", name).map_err(|e| e.to_string())?;
            store
                .remove_user(name, &CLI)
                .await
                .map_err(|e| e.to_string())?;
            format!("removed {name}\n")
        }
    };
    store.close().await;
    Ok(out)
}

/// Runs a `token` command.
pub async fn token(settings: &Settings, command: &TokenCommand) -> Result<String, String> {
    let store = open(settings).await?;
    let out = match command {
        TokenCommand::Create {
            role,
            name,
            expires_in_days,
        } => {
            let request = NewToken {
                name: name.clone(),
                role: Role::from(*role),
                expires_in_days: *expires_in_days,
            };
            request.validate().map_err(|e| e.to_string())?;
            let secret = Secret::generate(TOKEN_PREFIX).map_err(|e| e.to_string())?;
            let expires_at = expires_in_days.map(|d| now_ms() + i64::from(d) * 86_400_000);
            store
                .create_token(name, request.role, &secret, expires_at, &CLI)
                .await
                .map_err(|e| e.to_string())?;
            // The token alone, so `TOKEN=$(phaseplan token create …)` works.
            format!("{}\n", secret.expose())
        }
        TokenCommand::List => {
            let tokens = store.tokens().await.map_err(|e| e.to_string())?;
            let mut out = String::from("NAME\tROLE\tCREATED\tLAST USED\tEXPIRES\tSTATE\n");
            let now = rfc3339(now_ms());
            for t in tokens {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at.as_deref().is_some_and(|e| e <= now.as_str()) {
                    "expired"
                } else {
                    "active"
                };
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{state}\n",
                    t.name,
                    t.role,
                    t.created_at,
                    t.last_used_at.as_deref().unwrap_or("never"),
                    t.expires_at.as_deref().unwrap_or("never"),
                ));
            }
            out
        }
        TokenCommand::Revoke { name } => {
            check_name("name", name).map_err(|e| e.to_string())?;
            store
                .revoke_token(name, &CLI)
                .await
                .map_err(|e| e.to_string())?;
            format!("revoked {name}\n")
        }
    };
    store.close().await;
    Ok(out)
}
