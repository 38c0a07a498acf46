//! Who may change the plan, against the real binary: accounts and tokens made with its commands,
//! each role against each write route, expired and revoked tokens, sessions, CSRF, sign-in
//! slowing, the refusal to start unsafely, sessions shared by two replicas on PostgreSQL, and no
//! password or secret in any log or response.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{
    Ready, Server, as_postgres, free_port, postgres_bin, run, scratch, serve_as, start_postgres,
};
use nix::sys::signal::Signal;
use reqwest::StatusCode;
use serde_json::{Value, json};

const ADMIN_PASSWORD: &str = "admin passphrase 4 tests";
const EDITOR_PASSWORD: &str = "editor passphrase 4 tests";
const VIEWER_PASSWORD: &str = "viewer passphrase 4 tests";

/// The binary, with `env` and nothing inherited but PATH.
fn phaseplan(env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_phaseplan"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, v.clone())));
    cmd
}

/// Runs `phaseplan ARGS` with `stdin` on standard input: (exit ok, stdout, stderr).
fn command(env: &[(&str, String)], args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = phaseplan(env)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Settings of a server with sign-in, on loopback, its database in `data`.
fn users_env(data: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("PHASEPLAN_AUTH", "users".to_owned()),
        ("PHASEPLAN_DATA_DIR", data.display().to_string()),
        ("PHASEPLAN_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
        ("RUST_LOG", "debug".to_owned()),
        ("PHASEPLAN_SECRET_KEY", "ab".repeat(32)),
    ]
}

/// A server started from the binary, and its address.
struct Running {
    server: Server,
    base: String,
    port: u16,
}

fn start(name: &str, env: &[(&str, String)]) -> Running {
    let port = free_port();
    let mut cmd = phaseplan(env);
    cmd.args(["--port", &port.to_string()]);
    let server = serve_as(
        name,
        &mut cmd,
        port,
        Ready::Http("/api/v1/health"),
        Signal::SIGTERM,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Running {
        server,
        base: format!("http://127.0.0.1:{port}"),
        port,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in; returns the `Cookie` header value for the session.
async fn sign_in(base: &str, name: &str, password: &str) -> String {
    let res = client()
        .post(format!("{base}/api/v1/session"))
        .header("origin", base)
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "sign in as {name}");
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain HTTP on loopback: not Secure ({set})"
    );
    set.split(';').next().unwrap().to_owned()
}

/// A request as `credential` (`Bearer …` or a cookie), from this server's own origin.
async fn call(
    base: &str,
    credential: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = client().request(method.parse().unwrap(), format!("{base}{path}"));
    match credential {
        Some(c) if c.starts_with("Bearer ") => req = req.header("authorization", c),
        Some(c) => req = req.header("cookie", c).header("origin", base),
        None => {}
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    if method == "PUT" {
        req = req.header("if-match", "\"1\"");
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A webhook channel to a port nothing listens on (its test says why it was not sent).
fn channel_body() -> Value {
    json!({"kind": "webhook", "name": "access-test", "url": "http://127.0.0.1:9/hook", "secret": "access hook secret"})
}

fn scenario_body(name: &str) -> Value {
    json!({
        "name": name,
        "scenario": phaseplan_model::presets::preset("ride-hailing").unwrap().scenario,
        "message": "from the access test",
    })
}

/// Adds the first admin with the binary; returns the database settings for it.
fn first_admin(dir: &Path) -> Vec<(&'static str, String)> {
    let env = users_env(&dir.join("data"));
    let (ok, out, err) = command(
        &env,
        &[
            "user",
            "add",
            "root-admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    assert!(ok, "{err}");
    assert_eq!(out, "added root-admin (admin)\n");
    env
}

#[test]
fn the_commands_manage_accounts_and_tokens_with_exit_codes() {
    let dir = scratch("access-cli");
    let env = first_admin(&dir);
    // A short password, a bad name, a taken name, an unknown role: non-zero, one line.
    for (args, stdin, reason) in [
        (
            vec!["user", "add", "ada", "--role", "editor", "--password-stdin"],
            "short\n",
            "at least 10",
        ),
        (
            vec![
                "user",
                "add",
                "ada/x",
                "--role",
                "editor",
                "--password-stdin",
            ],
            "long enough pass\n",
            "name",
        ),
        (
            vec![
                "user",
                "add",
                "root-admin",
                "--role",
                "viewer",
                "--password-stdin",
            ],
            "long enough pass\n",
            "exists already",
        ),
        (vec!["user", "remove", "nobody"], "", "no user named"),
        (vec!["user", "remove", "root-admin"], "", "last admin"),
        (vec!["token", "revoke", "nothing"], "", "no token named"),
        (
            vec![
                "token",
                "create",
                "--role",
                "editor",
                "--name",
                "ci",
                "--expires-in-days",
                "0",
            ],
            "",
            "expires_in_days",
        ),
    ] {
        let (ok, out, err) = command(&env, &args, stdin);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(
            err.starts_with("phaseplan: ") && err.trim_end().lines().count() == 1,
            "{args:?}: {err:?}"
        );
        assert!(err.contains(reason), "{args:?}: {err}");
    }
    // A usage error is one line too.
    let (ok, _, err) = command(&env, &["user", "add", "--role", "root"], "");
    assert!(
        !ok && err.trim_end().lines().count() == 1 && err.contains("root"),
        "{err:?}"
    );
    let (ok, _, err) = command(
        &env,
        &["user", "add", "ada", "--role", "editor", "--password-stdin"],
        &format!("{EDITOR_PASSWORD}\n"),
    );
    assert!(ok, "{err}");
    let (ok, list, _) = command(&env, &["user", "list"], "");
    assert!(ok);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(
        rows.iter().map(|r| (r[0], r[1])).collect::<Vec<_>>(),
        [("ada", "editor"), ("root-admin", "admin")]
    );
    assert!(!list.contains("argon2"), "no hash in the listing");

    // A token: printed alone, once; listed without its secret; revoked.
    let (ok, token, err) = command(
        &env,
        &["token", "create", "--role", "viewer", "--name", "ci"],
        "",
    );
    assert!(ok, "{err}");
    let token = token.trim_end_matches('\n');
    assert!(
        token.starts_with("pp_") && token.len() > 40 && !token.contains(char::is_whitespace),
        "{token:?}"
    );
    let (ok, _, err) = command(
        &env,
        &["token", "create", "--role", "viewer", "--name", "ci"],
        "",
    );
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, list, _) = command(&env, &["token", "list"], "");
    assert!(ok);
    assert!(
        list.contains("ci\tviewer\t") && list.contains("active") && !list.contains(token),
        "{list}"
    );
    assert!(command(&env, &["token", "revoke", "ci"], "").0);
    let (_, list, _) = command(&env, &["token", "list"], "");
    assert!(list.contains("revoked"), "{list}");
    // A revoked name can be given to a new token.
    assert!(
        command(
            &env,
            &["token", "create", "--role", "editor", "--name", "ci"],
            ""
        )
        .0
    );

    let (ok, out, err) = command(
        &env,
        &["user", "passwd", "ada", "--password-stdin"],
        "another long passphrase\n",
    );
    assert!(ok, "{err}");
    assert!(out.contains("sessions have ended"));
    assert!(command(&env, &["user", "remove", "ada"], "").0);
    let (_, list, _) = command(&env, &["user", "list"], "");
    assert!(!list.contains("ada"));
}

#[tokio::test]
async fn each_role_may_what_it_may_and_nothing_more() {
    let dir = scratch("access-roles");
    let env = first_admin(&dir);
    let app = start("roles", &env);
    let base = app.base.as_str();
    let admin = sign_in(base, "root-admin", ADMIN_PASSWORD).await;

    // Accounts and a token per role, made by the admin over the API.
    for (name, role, password) in [
        ("ed", "editor", EDITOR_PASSWORD),
        ("vi", "viewer", VIEWER_PASSWORD),
    ] {
        let (status, body) = call(
            base,
            Some(&admin),
            "POST",
            "/api/v1/users",
            Some(json!({"name": name, "role": role, "password": password})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["role"], role);
        assert!(body.get("password").is_none() && !body.to_string().contains(password));
    }
    let mut tokens = Vec::new();
    for role in ["viewer", "editor", "admin"] {
        let (status, body) = call(
            base,
            Some(&admin),
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": format!("t-{role}"), "role": role})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        tokens.push((role, format!("Bearer {}", body["secret"].as_str().unwrap())));
    }
    let editor = sign_in(base, "ed", EDITOR_PASSWORD).await;
    let viewer = sign_in(base, "vi", VIEWER_PASSWORD).await;
    let (_, me) = call(base, Some(&viewer), "GET", "/api/v1/me", None).await;
    assert_eq!(
        me,
        json!({"name": "vi", "role": "viewer", "auth": "users", "via": "session"})
    );
    let (_, me) = call(base, Some(&tokens[1].1), "GET", "/api/v1/me", None).await;
    assert_eq!(
        me,
        json!({"name": "token:t-editor", "role": "editor", "auth": "users", "via": "token"})
    );

    // One scenario to act on.
    let (status, saved) = call(
        base,
        Some(&admin),
        "POST",
        "/api/v1/scenarios",
        Some(scenario_body("Shared plan")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = saved["id"].as_str().unwrap().to_owned();

    // (method, path, body, the least role that may): every write route, and the admin reads.
    let routes: Vec<(&str, String, Option<Value>, &str)> = vec![
        ("GET", "/api/v1/scenarios".into(), None, "viewer"),
        (
            "POST",
            "/api/v1/evaluate".into(),
            Some(
                phaseplan_model::presets::preset("ecommerce")
                    .unwrap()
                    .scenario,
            )
            .map(|s| serde_json::to_value(s).unwrap()),
            "viewer",
        ),
        (
            "GET",
            format!("/api/v1/scenarios/{id}/revisions"),
            None,
            "viewer",
        ),
        (
            "POST",
            "/api/v1/scenarios".into(),
            Some(scenario_body("New")),
            "editor",
        ),
        (
            "PUT",
            format!("/api/v1/scenarios/{id}"),
            Some(scenario_body("Shared plan")),
            "editor",
        ),
        (
            "POST",
            format!("/api/v1/scenarios/{id}/duplicate"),
            None,
            "editor",
        ),
        ("DELETE", format!("/api/v1/scenarios/{id}"), None, "editor"),
        (
            "POST",
            format!("/api/v1/scenarios/{id}/restore"),
            None,
            "editor",
        ),
        ("GET", "/api/v1/users".into(), None, "admin"),
        (
            "POST",
            "/api/v1/users".into(),
            Some(json!({"name": "new-user", "role": "viewer", "password": "a long password"})),
            "admin",
        ),
        ("DELETE", "/api/v1/users/new-user".into(), None, "admin"),
        ("GET", "/api/v1/tokens".into(), None, "admin"),
        (
            "POST",
            "/api/v1/tokens".into(),
            Some(json!({"name": "made", "role": "viewer"})),
            "admin",
        ),
        ("DELETE", "/api/v1/tokens/made".into(), None, "admin"),
        ("GET", "/api/v1/audit".into(), None, "admin"),
        (
            "GET",
            "/api/v1/platforms/default/status".into(),
            None,
            "viewer",
        ),
        ("GET", "/api/scaling/status".into(), None, "viewer"),
        (
            "POST",
            "/api/v1/platforms".into(),
            Some(json!({"name": "p", "scenario_id": id})),
            "editor",
        ),
        (
            "PATCH",
            "/api/v1/platforms/default".into(),
            Some(json!({"version": 0, "sources": null})),
            "editor",
        ),
        (
            "POST",
            "/api/v1/platforms/default/transitions".into(),
            Some(json!({"to": "growth", "reason": "access test"})),
            "editor",
        ),
        (
            "POST",
            "/api/scaling/transition/growth".into(),
            None,
            "editor",
        ),
        (
            "POST",
            "/api/v1/platforms/default/checklist".into(),
            Some(json!({"title": "An action"})),
            "editor",
        ),
        (
            "PATCH",
            "/api/v1/platforms/default/checklist".into(),
            Some(json!({"id": "growth.database.pgbouncer", "state": "completed", "version": 0})),
            "editor",
        ),
        (
            "PATCH",
            "/api/v1/platforms/default/milestones".into(),
            Some(json!({"toward": "growth", "preparation": "3-4 weeks"})),
            "editor",
        ),
        (
            "GET",
            "/api/v1/notifications/channels".into(),
            None,
            "viewer",
        ),
        (
            "GET",
            "/api/v1/notifications/deliveries".into(),
            None,
            "viewer",
        ),
        (
            "POST",
            "/api/v1/notifications/channels".into(),
            Some(channel_body()),
            "admin",
        ),
        (
            "PATCH",
            "/api/v1/notifications/channels/FRESH_CHANNEL".into(),
            Some(json!({"name": "renamed"})),
            "admin",
        ),
        (
            "POST",
            "/api/v1/notifications/channels/FRESH_CHANNEL/test".into(),
            None,
            "admin",
        ),
        (
            "DELETE",
            "/api/v1/notifications/channels/FRESH_CHANNEL".into(),
            None,
            "admin",
        ),
        (
            "POST",
            "/api/v1/platforms/default/notification-rules".into(),
            Some(json!({"trigger": {"on": "transition"}, "channels": ["FRESH_CHANNEL"]})),
            "editor",
        ),
        (
            "DELETE",
            "/api/v1/platforms/default/notification-rules/FRESH_RULE".into(),
            None,
            "editor",
        ),
        (
            "POST",
            "/api/v1/alertmanager".into(),
            Some(
                json!({"version": "4", "status": "firing", "alerts": [{"status": "firing", "labels": {"alertname": "PhaseplanCpuWarning"}, "startsAt": "2026-12-01T10:00:00Z"}]}),
            ),
            "editor",
        ),
    ];
    // The table covers every write the API has (from its own document): a new write route
    // without a role check and a line here fails this test.
    let doc: Value = client()
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let matches = |template: &str, path: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) = (
            template.split('/').collect(),
            path.split('?').next().unwrap().split('/').collect(),
        );
        t.len() == p.len() && t.iter().zip(&p).all(|(a, b)| a.starts_with('{') || a == b)
    };
    // Writes that change nothing stored: computations (any role) and signing in and out.
    let computations = [
        "/api/v1/evaluate",
        "/api/v1/phase-fit",
        "/api/v1/usl/fit",
        "/api/v1/measurements/parse",
        "/api/v1/bundles/{phase}/{file}",
        "/api/v1/session",
    ];
    for (template, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_none() || computations.contains(&template.as_str()) {
                continue;
            }
            assert!(
                routes
                    .iter()
                    .any(|(m, p, _, _)| m.eq_ignore_ascii_case(method) && matches(template, p)),
                "{method} {template} is not in the role table"
            );
        }
    }
    let rank = |r: &str| {
        ["viewer", "editor", "admin"]
            .iter()
            .position(|x| *x == r)
            .unwrap()
    };
    let mut attempt = 0;
    for (method, path, body, least) in &routes {
        // Anonymous: 401, whatever the route.
        let (status, err) = call(base, None, method, path, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "anonymous {method} {path}: {err}"
        );
        assert_eq!(err["error"]["code"], "unauthorized");
        for (role, credential) in [("viewer", &viewer), ("editor", &editor), ("admin", &admin)]
            .into_iter()
            .chain(tokens.iter().map(|(r, t)| (*r, t)))
        {
            // What a delete acts on exists before each attempt.
            match (*method, path.as_str()) {
                ("DELETE", "/api/v1/users/new-user") => {
                    call(
                        base,
                        Some(&admin),
                        "POST",
                        "/api/v1/users",
                        body_of(&routes, "/api/v1/users"),
                    )
                    .await;
                }
                ("DELETE", "/api/v1/tokens/made") => {
                    call(
                        base,
                        Some(&admin),
                        "POST",
                        "/api/v1/tokens",
                        body_of(&routes, "/api/v1/tokens"),
                    )
                    .await;
                }
                _ => {}
            }
            // Bodies that name what they were read at, or must be new each time.
            attempt += 1;
            let body = match (*method, path.as_str()) {
                ("POST", "/api/v1/platforms") => {
                    Some(json!({"name": format!("p-{attempt}"), "scenario_id": id}))
                }
                ("PATCH", "/api/v1/platforms/default") => {
                    let (_, p) = call(base, Some(&admin), "GET", path, None).await;
                    Some(json!({"version": p["version"], "sources": null}))
                }
                ("PATCH", "/api/v1/platforms/default/checklist") => {
                    let (_, list) = call(base, Some(&admin), "GET", path, None).await;
                    let item = list["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|i| i["id"] == "growth.database.pgbouncer")
                        .unwrap()
                        .clone();
                    Some(
                        json!({"id": item["id"], "state": "completed", "version": item["version"]}),
                    )
                }
                _ => body.clone(),
            };
            // A channel (and a rule on it) of its own for each attempt that names one.
            let mut path = path.clone();
            let mut body = body;
            if path.contains("FRESH")
                || body
                    .as_ref()
                    .is_some_and(|b| b.to_string().contains("FRESH"))
            {
                let (status, c) = call(
                    base,
                    Some(&admin),
                    "POST",
                    "/api/v1/notifications/channels",
                    Some(channel_body()),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{c}");
                let cid = c["id"].as_str().unwrap().to_owned();
                let (status, r) = call(
                    base,
                    Some(&admin),
                    "POST",
                    "/api/v1/platforms/default/notification-rules",
                    Some(json!({"trigger": {"on": "transition"}, "channels": [cid]})),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{r}");
                let rid = r["id"].as_str().unwrap().to_owned();
                if path.ends_with("channels/FRESH_CHANNEL") && *method == "DELETE" {
                    // A channel a rule names cannot go: this one is named by none.
                    let (_, c2) = call(
                        base,
                        Some(&admin),
                        "POST",
                        "/api/v1/notifications/channels",
                        Some(channel_body()),
                    )
                    .await;
                    path = path.replace("FRESH_CHANNEL", c2["id"].as_str().unwrap());
                }
                path = path
                    .replace("FRESH_CHANNEL", &cid)
                    .replace("FRESH_RULE", &rid);
                body = body.map(|b| {
                    serde_json::from_str(&b.to_string().replace("FRESH_CHANNEL", &cid)).unwrap()
                });
            }
            let path = &path;
            let (status, err) = call(base, Some(credential), method, path, body).await;
            if rank(role) >= rank(least) {
                assert!(
                    status.is_success(),
                    "{role} {method} {path}: {status} {err}"
                );
                // What an allowed attempt made is undone for the next credential.
                match (*method, path.as_str()) {
                    ("POST", "/api/v1/users") => {
                        call(base, Some(&admin), "DELETE", "/api/v1/users/new-user", None).await;
                    }
                    ("POST", "/api/v1/tokens") => {
                        call(base, Some(&admin), "DELETE", "/api/v1/tokens/made", None).await;
                    }
                    ("PUT", _) => reset_revision(&dir, &id).await,
                    (
                        "POST",
                        "/api/v1/platforms/default/transitions" | "/api/scaling/transition/growth",
                    ) => {
                        let (status, back) = call(
                            base,
                            Some(&admin),
                            "POST",
                            "/api/v1/platforms/default/transitions",
                            Some(json!({"to": "launch", "reason": "undo"})),
                        )
                        .await;
                        assert_eq!(status, StatusCode::CREATED, "{back}");
                    }
                    _ => {}
                }
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {path}: {err}"
                );
                assert_eq!(err["error"]["code"], "forbidden");
                assert!(
                    err["error"]["message"].as_str().unwrap().contains(least),
                    "{err}"
                );
            }
        }
    }
    // The audit log has every write, with who and from where.
    let (_, audit) = call(base, Some(&admin), "GET", "/api/v1/audit?limit=500", None).await;
    let entries = audit["entries"].as_array().unwrap();
    let has = |actor: &str, action: &str| {
        entries
            .iter()
            .any(|e| e["actor"] == actor && e["action"] == action && e["address"] == "127.0.0.1")
    };
    assert!(
        entries.iter().any(|e| e["actor"] == "cli"
            && e["action"] == "user_add"
            && e["address"] == "command line"),
        "the first admin was added by the command line: {audit}"
    );
    for (actor, action) in [
        ("root-admin", "sign_in"),
        ("root-admin", "user_add"),
        ("root-admin", "token_create"),
        ("ed", "scenario_create"),
        ("token:t-editor", "scenario_save"),
        ("token:t-admin", "token_revoke"),
        ("vi", "sign_in"),
    ] {
        assert!(has(actor, action), "no {action} by {actor} in {audit}");
    }
    // Newest first, and paged.
    let (_, page) = call(base, Some(&admin), "GET", "/api/v1/audit?limit=2", None).await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, next) = call(
        base,
        Some(&admin),
        "GET",
        &format!("/api/v1/audit?limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert_ne!(next["entries"][0], page["entries"][0]);
    let (status, _) = call(
        base,
        Some(&admin),
        "GET",
        "/api/v1/audit?cursor=bogus",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    drop(app);
}

fn body_of(routes: &[(&str, String, Option<Value>, &str)], path: &str) -> Option<Value> {
    routes
        .iter()
        .find(|(m, p, _, _)| *m == "POST" && p == path)
        .and_then(|r| r.2.clone())
}

/// Puts the scenario's latest revision back to 1, so every allowed PUT (`If-Match: "1"`) works.
async fn reset_revision(dir: &Path, id: &str) {
    let pool = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("data/phaseplan.db")),
    )
    .await
    .unwrap();
    sqlx::query("DELETE FROM revisions WHERE scenario_id = $1 AND revision > 1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE scenarios SET latest_revision = 1 WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test]
async fn expired_and_revoked_tokens_stop_working_at_once() {
    let dir = scratch("access-tokens");
    let env = first_admin(&dir);
    let make = |name: &str| {
        let (ok, out, err) = command(
            &env,
            &[
                "token",
                "create",
                "--role",
                "editor",
                "--name",
                name,
                "--expires-in-days",
                "1",
            ],
            "",
        );
        assert!(ok, "{err}");
        format!("Bearer {}", out.trim())
    };
    let soon = make("soon");
    let gone = make("gone");
    let app = start("tokens", &env);
    let base = app.base.as_str();
    for t in [&soon, &gone] {
        assert_eq!(
            call(base, Some(t), "GET", "/api/v1/me", None).await.0,
            StatusCode::OK
        );
    }
    // The day passes (in the database), and a revocation happens while the server runs.
    let pool = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("data/phaseplan.db")),
    )
    .await
    .unwrap();
    sqlx::query("UPDATE tokens SET expires_at = 1 WHERE name = 'soon'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(command(&env, &["token", "revoke", "gone"], "").0);
    for t in [
        &soon,
        &gone,
        &"Bearer pp_made-up".to_owned(),
        &"Basic abc".to_owned(),
    ] {
        let (status, err) = call(base, Some(t), "GET", "/api/v1/scenarios", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{t}: {err}");
    }
    // The listing says when each was last used, and which are revoked or expired.
    let admin = sign_in(base, "root-admin", ADMIN_PASSWORD).await;
    let (_, list) = call(base, Some(&admin), "GET", "/api/v1/tokens", None).await;
    let by_name = |n: &str| {
        list["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == n)
            .unwrap()
            .clone()
    };
    assert!(by_name("soon")["last_used_at"].is_string());
    assert_eq!(by_name("soon")["expires_at"], "1970-01-01T00:00:00.001Z");
    assert!(by_name("gone")["revoked_at"].is_string());
    assert!(
        !list
            .to_string()
            .contains(soon.trim_start_matches("Bearer "))
    );
    drop(app);
}

#[tokio::test]
async fn cookie_writes_from_another_site_are_refused() {
    let dir = scratch("access-csrf");
    let env = first_admin(&dir);
    let app = start("csrf", &env);
    let base = app.base.as_str();
    let cookie = sign_in(base, "root-admin", ADMIN_PASSWORD).await;
    let post = |origin: Option<&str>, content_type: &str| {
        let mut req = client()
            .post(format!("{base}/api/v1/scenarios"))
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(scenario_body("CSRF").to_string());
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let res = post(Some("http://evil.example"), "application/json")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = post(None, "application/json").await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a cookie write needs an Origin"
    );
    // A form post (what a cross-site page can send without asking) is not JSON.
    let res = post(Some(base), "text/plain").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let res = post(Some(base), "application/json").await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // A token needs no Origin; a token with a foreign Origin is still refused.
    let (ok, token, _) = command(
        &env,
        &["token", "create", "--role", "editor", "--name", "bot"],
        "",
    );
    assert!(ok);
    let bearer = format!("Bearer {}", token.trim());
    let (status, _) = call(
        base,
        Some(&bearer),
        "POST",
        "/api/v1/scenarios",
        Some(scenario_body("Bot")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let res = client()
        .post(format!("{base}/api/v1/scenarios"))
        .header("authorization", &bearer)
        .header("origin", "http://evil.example")
        .json(&scenario_body("Bot"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Signing out ends the session: the cookie no longer works.
    let res = client()
        .delete(format!("{base}/api/v1/session"))
        .header("cookie", &cookie)
        .header("origin", base)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        call(base, Some(&cookie), "GET", "/api/v1/me", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    drop(app);

    // Without sign-in (loopback), a write from another site is refused too.
    let open = start(
        "csrf-open",
        &[("PHASEPLAN_DATA_DIR", dir.join("open").display().to_string())],
    );
    let res = client()
        .post(format!("{}/api/v1/scenarios/x/restore", open.base))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, me) = call(&open.base, None, "GET", "/api/v1/me", None).await;
    assert_eq!(
        me,
        json!({"name": "local", "role": "admin", "auth": "none", "via": "local"})
    );
}

#[tokio::test]
async fn failed_sign_ins_are_slowed_and_never_say_whether_the_name_exists() {
    let dir = scratch("access-brute");
    let env = first_admin(&dir);
    let app = start("brute", &env);
    let base = app.base.as_str();
    let attempt = |name: &'static str, password: &'static str| {
        client()
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"name": name, "password": password}))
            .send()
    };
    // Unknown name and wrong password: the same answer.
    let unknown = attempt("nobody-here", "whatever it is").await.unwrap();
    let wrong = attempt("root-admin", "not the password").await.unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.text().await.unwrap(), wrong.text().await.unwrap());
    // Three more failures are free (five in all from this address); the sixth counts and makes
    // the next attempt wait, refused before the password is looked at.
    for _ in 0..3 {
        assert_eq!(
            attempt("root-admin", "not the password")
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt("root-admin", "not the password")
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let slowed = attempt("root-admin", ADMIN_PASSWORD).await.unwrap();
    assert_eq!(
        slowed.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = slowed.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    tokio::time::sleep(std::time::Duration::from_millis(1_100 * retry)).await;
    // Waited out: the right password works, and the count starts over.
    assert_eq!(
        attempt("root-admin", ADMIN_PASSWORD)
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        attempt("root-admin", "not the password")
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    drop(app);
}

#[tokio::test]
async fn no_password_or_secret_reaches_a_log_or_a_response() {
    let dir = scratch("access-secrets");
    let env = first_admin(&dir);
    let app = start("secrets", &env);
    let base = app.base.as_str();
    let cookie = sign_in(base, "root-admin", ADMIN_PASSWORD).await;
    let session_secret = cookie.split_once('=').unwrap().1.to_owned();
    let (_, made) = call(
        base,
        Some(&cookie),
        "POST",
        "/api/v1/tokens",
        Some(json!({"name": "ci", "role": "editor"})),
    )
    .await;
    let token = made["secret"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {token}");
    call(
        base,
        Some(&bearer),
        "POST",
        "/api/v1/scenarios",
        Some(scenario_body("Via token")),
    )
    .await;
    call(
        base,
        Some(&cookie),
        "POST",
        "/api/v1/users",
        Some(json!({"name": "grace", "role": "viewer", "password": VIEWER_PASSWORD})),
    )
    .await;
    // A failed sign-in with a password-looking name and a bad token.
    client()
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"name": "grace", "password": "Wrong-but-secret-1"}))
        .send()
        .await
        .unwrap();
    call(
        base,
        Some("Bearer pp_this-is-not-valid-at-all"),
        "GET",
        "/api/v1/me",
        None,
    )
    .await;
    let mut everything = String::new();
    for path in [
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/audit?limit=500",
        "/api/v1/me",
        "/api/v1/scenarios",
    ] {
        let (_, body) = call(base, Some(&cookie), "GET", path, None).await;
        everything.push_str(&body.to_string());
    }
    let metrics = client()
        .get(format!("{base}/metrics"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    everything.push_str(&metrics.text().await.unwrap());
    let log = app.server.output();
    assert!(
        log.contains("DEBUG") || log.contains("INFO"),
        "the server logged at debug: {log}"
    );
    for secret in [
        ADMIN_PASSWORD,
        VIEWER_PASSWORD,
        "Wrong-but-secret-1",
        token.as_str(),
        session_secret.as_str(),
        "pp_this-is-not-valid-at-all",
    ] {
        assert!(!log.contains(secret), "the log has {secret:?}");
        assert!(!everything.contains(secret), "a response has {secret:?}");
    }
    assert!(
        !everything.contains("argon2"),
        "no password hash in a response"
    );
    drop(app);
}

#[tokio::test]
async fn metrics_need_a_token_unless_public() {
    let dir = scratch("access-metrics");
    let env = first_admin(&dir);
    let (ok, token, _) = command(
        &env,
        &["token", "create", "--role", "viewer", "--name", "scraper"],
        "",
    );
    assert!(ok);
    let app = start("metrics", &env);
    let cookie = sign_in(&app.base, "root-admin", ADMIN_PASSWORD).await;
    let get = |credential: Option<(&'static str, String)>| {
        let mut req = client().get(format!("{}/metrics", app.base));
        if let Some((h, v)) = credential {
            req = req.header(h, v);
        }
        req.send()
    };
    assert_eq!(get(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(Some(("cookie", cookie))).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(Some(("authorization", format!("Bearer {}", token.trim()))))
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // Health and the SPA's page need nothing.
    assert_eq!(
        client()
            .get(format!("{}/api/v1/health", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    drop(app);
    let mut public = env.clone();
    public.push(("PHASEPLAN_METRICS_PUBLIC", "true".to_owned()));
    let app = start("metrics-public", &public);
    assert_eq!(
        client()
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[test]
fn the_server_refuses_to_start_where_it_would_be_unsafe() {
    let dir = scratch("access-refuse");
    let data = dir.join("data").display().to_string();
    let cases: [(&[(&str, &str)], &str); 3] = [
        // No sign-in on every address.
        (
            &[
                ("PHASEPLAN_HOST", "0.0.0.0"),
                ("PHASEPLAN_ALLOWED_HOSTS", "plan.example.com"),
            ],
            "phaseplan user add",
        ),
        // Sign-in over plain HTTP on every address.
        (
            &[
                ("PHASEPLAN_HOST", "0.0.0.0"),
                ("PHASEPLAN_ALLOWED_HOSTS", "plan.example.com"),
                ("PHASEPLAN_AUTH", "users"),
            ],
            "allow_plain_http",
        ),
        // Half a TLS setting.
        (
            &[
                ("PHASEPLAN_AUTH", "users"),
                ("PHASEPLAN_TLS_CERT", "/nonexistent.pem"),
            ],
            "tls_key",
        ),
    ];
    for (env, reason) in cases {
        let mut cmd = phaseplan(&[("PHASEPLAN_DATA_DIR", data.clone())]);
        cmd.envs(env.iter().copied())
            .args(["--port", &free_port().to_string()]);
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{env:?} started");
        assert!(err.contains(reason), "{env:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    // `phaseplan serve` is the same as no subcommand.
    let port = free_port();
    let mut cmd = phaseplan(&[("PHASEPLAN_DATA_DIR", data.clone())]);
    cmd.args(["serve", "--port", &port.to_string()]);
    let served = serve_as(
        "serve",
        &mut cmd,
        port,
        Ready::Http("/api/v1/health"),
        Signal::SIGTERM,
    );
    assert!(served.is_ok(), "{:?}", served.err());
    drop(served);
    // Told on purpose, or behind a TLS proxy, it starts.
    for extra in [
        ("PHASEPLAN_ALLOW_PLAIN_HTTP", "true"),
        ("PHASEPLAN_BEHIND_TLS", "true"),
    ] {
        let port = free_port();
        let mut cmd = phaseplan(&[("PHASEPLAN_DATA_DIR", data.clone())]);
        cmd.envs([
            ("PHASEPLAN_HOST", "0.0.0.0"),
            ("PHASEPLAN_ALLOWED_HOSTS", "localhost"),
            ("PHASEPLAN_AUTH", "users"),
            extra,
        ])
        .args(["--port", &port.to_string()]);
        let server = serve_as(
            "open",
            &mut cmd,
            port,
            Ready::Http("/api/v1/health"),
            Signal::SIGTERM,
        );
        assert!(server.is_ok(), "{extra:?}: {:?}", server.err());
    }
}

#[tokio::test]
async fn two_replicas_on_postgresql_share_sessions_and_sign_out() {
    let Some(bin) = postgres_bin() else { return };
    let dir = scratch("access-replicas");
    let (ok, out) = run(as_postgres(&bin.join("initdb"))
        .args(["-A", "trust", "-U", "postgres", "-D"])
        .arg(dir.join("db")));
    assert!(ok, "initdb: {out}");
    let pg_port = free_port();
    let _pg = start_postgres(&bin, &dir.join("db"), &dir, pg_port, &[]);
    let url = format!("postgres://postgres@127.0.0.1:{pg_port}/postgres");
    let env: Vec<(&str, String)> = vec![
        ("PHASEPLAN_AUTH", "users".to_owned()),
        ("PHASEPLAN_DATABASE_URL", url),
        ("PHASEPLAN_RATE_LIMIT_PER_MINUTE", "0".to_owned()),
    ];
    let (ok, _, err) = command(
        &env,
        &[
            "user",
            "add",
            "pg-admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &format!("{ADMIN_PASSWORD}\n"),
    );
    assert!(ok, "{err}");
    let a = start("replica-a", &env);
    let b = start("replica-b", &env);
    let cookie = sign_in(&a.base, "pg-admin", ADMIN_PASSWORD).await;
    let (status, me) = call(&b.base, Some(&cookie), "GET", "/api/v1/me", None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the other replica knows the session: {me}"
    );
    // A token made on one works on the other, and its revocation on one ends it on both.
    let (_, made) = call(
        &b.base,
        Some(&cookie),
        "POST",
        "/api/v1/tokens",
        Some(json!({"name": "shared", "role": "viewer"})),
    )
    .await;
    let bearer = format!("Bearer {}", made["secret"].as_str().unwrap());
    assert_eq!(
        call(&a.base, Some(&bearer), "GET", "/api/v1/me", None)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        call(
            &a.base,
            Some(&cookie),
            "DELETE",
            "/api/v1/tokens/shared",
            None
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&b.base, Some(&bearer), "GET", "/api/v1/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Signing out on B ends the session on A.
    assert_eq!(
        call(&b.base, Some(&cookie), "DELETE", "/api/v1/session", None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&a.base, Some(&cookie), "GET", "/api/v1/me", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let _ = (a.port, b.port);
}

#[tokio::test]
async fn the_server_speaks_https_itself_and_marks_the_cookie_secure() {
    let dir = scratch("access-tls");
    let env = first_admin(&dir);
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.key_pair.serialize_pem());
    std::fs::write(dir.join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &key_pem).unwrap();
    // On every address, with sign-in and its own TLS: no allow_plain_http needed.
    let port = free_port();
    let mut cmd = phaseplan(&env);
    cmd.envs([
        ("PHASEPLAN_HOST", "0.0.0.0".to_owned()),
        ("PHASEPLAN_ALLOWED_HOSTS", format!("localhost:{port}")),
        (
            "PHASEPLAN_TLS_CERT",
            dir.join("cert.pem").display().to_string(),
        ),
        (
            "PHASEPLAN_TLS_KEY",
            dir.join("key.pem").display().to_string(),
        ),
    ])
    .args(["--port", &port.to_string()]);
    let server = serve_as("tls", &mut cmd, port, Ready::Tcp, Signal::SIGTERM)
        .unwrap_or_else(|e| panic!("{e}"));
    let https = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let base = format!("https://localhost:{port}");
    let mut healthy = None;
    for _ in 0..600 {
        match https.get(format!("{base}/api/v1/health")).send().await {
            Ok(r) => {
                healthy = Some(r.status());
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
    assert_eq!(healthy, Some(StatusCode::OK), "{}", server.output());
    let res = https
        .post(format!("{base}/api/v1/session"))
        .header("origin", &base)
        .json(&json!({"name": "root-admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Plain HTTP on the same port gets no answer.
    assert!(
        client()
            .get(format!("http://127.0.0.1:{port}/api/v1/health"))
            .send()
            .await
            .map(|r| r.status() != StatusCode::OK)
            .unwrap_or(true)
    );
    // A key that is not a key: the server says which file, and does not start.
    std::fs::write(dir.join("bad.pem"), "not a key").unwrap();
    let mut cmd = phaseplan(&env);
    cmd.envs([
        (
            "PHASEPLAN_TLS_CERT",
            dir.join("cert.pem").display().to_string(),
        ),
        (
            "PHASEPLAN_TLS_KEY",
            dir.join("bad.pem").display().to_string(),
        ),
    ])
    .args(["--port", &free_port().to_string()]);
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("tls_key") && err.contains("bad.pem"),
        "{err}"
    );
}

#[tokio::test]
async fn concurrent_account_writes_on_sqlite_wait_their_turn() {
    use phaseplan_model::access::Role;
    use phaseplan_server::store::{Actor, Store};
    let dir = scratch("access-concurrent");
    let store = Store::open(None, Some(&dir)).await.unwrap();
    let by = Actor {
        name: "test",
        address: "127.0.0.1",
    };
    store
        .add_user("keeper", Role::Admin, "$argon2id$x", &by)
        .await
        .unwrap();
    for i in 0..30 {
        store
            .add_user(&format!("u{i}"), Role::Viewer, "$argon2id$x", &by)
            .await
            .unwrap();
    }
    // Removals (which read the role before they delete) racing additions, on 8 connections:
    // every one succeeds, none is told the database is locked.
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let by = Actor {
                name: "test",
                address: "127.0.0.1",
            };
            if i % 2 == 0 {
                store.remove_user(&format!("u{}", i / 2), &by).await
            } else {
                store
                    .add_user(&format!("v{i}"), Role::Viewer, "$argon2id$x", &by)
                    .await
                    .map(drop)
            }
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(store.users().await.unwrap().len(), 31);
    store.close().await;
}
