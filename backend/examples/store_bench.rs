//! Saved-scenario speed on a real database: save latency (p50/p95), list and search over a large
//! library, and a diff of two revisions (both read, both evaluated, inputs and key figures
//! compared) — what the routes do, without HTTP.
//!
//! ```sh
//! cargo build --release -p phaseplan-server --example store_bench
//! target/release/examples/store_bench                       # SQLite in a scratch directory
//! target/release/examples/store_bench --database-url postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! The library is seeded with raw inserts in large transactions (10,000 scenarios × 10 revisions
//! by default); the timed operations go through the store as the server calls it.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use phaseplan_model::compare::{input_changes, result_deltas};
use phaseplan_model::cost::catalog::Catalog;
use phaseplan_model::evaluate::evaluate_plan;
use phaseplan_model::presets::preset;
use phaseplan_server::secret::SourceUrl;
use phaseplan_server::store::{Actor, Draft, ListQuery, Sort, Store};

struct Options {
    database_url: Option<String>,
    scenarios: usize,
    revisions: usize,
    samples: usize,
}

fn options() -> Result<Options> {
    let mut o = Options {
        database_url: None,
        scenarios: 10_000,
        revisions: 10,
        samples: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().context("a value after the flag");
        match a.as_str() {
            "--database-url" => o.database_url = Some(value()?),
            "--scenarios" => o.scenarios = value()?.parse()?,
            "--revisions" => o.revisions = value()?.parse()?,
            "--samples" => o.samples = value()?.parse()?,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(o)
}

/// p50, p95 and max of `times`, in milliseconds.
fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} samples)",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(*times.last().unwrap()),
        times.len()
    )
}

async fn time<F, Fut>(samples: usize, mut f: F) -> Result<Vec<Duration>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let mut out = Vec::with_capacity(samples);
    for i in 0..samples {
        let start = Instant::now();
        f(i).await?;
        out.push(start.elapsed());
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<()> {
    let o = options()?;
    let dir = std::env::temp_dir().join(format!("phaseplan-store-bench-{}", std::process::id()));
    let url = o.database_url.clone().map(SourceUrl::from);
    let store = Store::open(url.as_ref(), Some(&dir)).await?;
    println!("database: {:?}", store.kind());
    let scenario = preset("ride-hailing").unwrap().scenario;
    let catalog = Catalog::built_in()?;

    // Seed with raw inserts in transactions of 500 scenarios (the store's own saves would fsync
    // each one); scenario i is named "Plan i <word>", so a search matches a known share.
    let words = ["alpha", "bravo", "charlie", "delta", "echo"];
    let start = Instant::now();
    let ids: Vec<String> = (0..o.scenarios).map(|i| format!("bench{i:06}")).collect();
    let json = |i: usize, r: usize| {
        let mut s = scenario.clone();
        s.growth.monthly_rate = 0.05 + (i % 10) as f64 / 100.0 + r as f64 / 1000.0;
        serde_json::to_string(&s).unwrap()
    };
    macro_rules! seed {
        ($pool:expr) => {{
            let pool = $pool;
            for chunk in (0..o.scenarios).collect::<Vec<_>>().chunks(500) {
                let mut tx = pool.begin().await?;
                for &i in chunk {
                    let at = 1_700_000_000_000_i64 + i as i64 * 1_000;
                    sqlx::query(
                        "INSERT INTO scenarios (id, name, description, latest_revision, archived, \
                         created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, FALSE, $5, $6, 'bench')",
                    )
                    .bind(&ids[i])
                    .bind(format!("Plan {i:05} {}", words[i % words.len()]))
                    .bind("seeded for the benchmark")
                    .bind(o.revisions as i64)
                    .bind(at)
                    .bind(at + o.revisions as i64)
                    .execute(&mut *tx)
                    .await?;
                    for r in 1..=o.revisions {
                        sqlx::query(
                            "INSERT INTO revisions (scenario_id, revision, format_version, scenario, \
                             message, created_at, created_by) VALUES ($1, $2, 1, $3, 'seed', $4, 'bench')",
                        )
                        .bind(&ids[i])
                        .bind(r as i64)
                        .bind(json(i, r))
                        .bind(at + r as i64)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
            }
            pool.close().await;
        }};
    }
    match &o.database_url {
        Some(u) => seed!(sqlx::PgPool::connect(u).await?),
        None => seed!(
            sqlx::SqlitePool::connect_with(
                sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("phaseplan.db"))
            )
            .await?
        ),
    }
    println!(
        "seeded {} scenarios × {} revisions in {:.1} s",
        o.scenarios,
        o.revisions,
        start.elapsed().as_secs_f64()
    );

    // Save: the next revision of an existing scenario (one transaction: the compare-and-set, the
    // insert and the audit entry), as PUT does.
    let mut next = vec![o.revisions as u32; o.samples];
    let saves = time(o.samples, |i| {
        let id = ids[i % ids.len()].clone();
        let from = next[i % o.samples];
        next[i % o.samples] += 1;
        let mut s = scenario.clone();
        s.growth.monthly_rate = 0.3;
        let store = store.clone();
        async move {
            store
                .save(
                    &id,
                    from,
                    &Draft {
                        name: "Saved again",
                        description: "",
                        scenario: &s,
                        message: "bench",
                    },
                    &Actor {
                        name: "bench",
                        address: "127.0.0.1",
                    },
                )
                .await?;
            Ok(())
        }
    })
    .await?;
    println!("save: {}", summary(saves));

    for (what, q, sort) in [
        ("list, newest first", "", Sort::Updated),
        ("list by name", "", Sort::Name),
        ("search \"charlie\" (1 in 5)", "charlie", Sort::Name),
        ("search \"plan 0999\" (10)", "plan 0999", Sort::Updated),
        ("search, no match", "zulu", Sort::Updated),
    ] {
        let times = time(o.samples, |_| {
            let store = store.clone();
            let query = ListQuery {
                q: q.to_owned(),
                sort,
                archived: false,
                limit: 50,
                cursor: None,
            };
            async move {
                let page = store
                    .list(&query)
                    .await?
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                assert!(page.scenarios.len() <= 50);
                Ok(())
            }
        })
        .await?;
        println!("{what}: {}", summary(times));
    }
    // Paging deep: the 100th page of 50 by name, following cursors.
    let start = Instant::now();
    let mut cursor = None;
    for _ in 0..100 {
        let page = store
            .list(&ListQuery {
                q: String::new(),
                sort: Sort::Name,
                archived: false,
                limit: 50,
                cursor,
            })
            .await?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        cursor = page.next_cursor;
    }
    println!(
        "100 pages of 50 by cursor: {:.1} ms in all",
        start.elapsed().as_secs_f64() * 1e3
    );

    // Diff: two revisions read, both evaluated (no Monte Carlo), compared.
    let diffs = time(o.samples.min(100), |i| {
        let id = ids[i % ids.len()].clone();
        let store = store.clone();
        let catalog = catalog.clone();
        async move {
            let a = store.revision(&id, 1).await?;
            let b = store.revision(&id, 2).await?;
            let inputs = input_changes(&a.scenario, &b.scenario);
            let ea = evaluate_plan(&a.scenario.validate()?, &catalog);
            let eb = evaluate_plan(&b.scenario.validate()?, &catalog);
            let d = result_deltas(&ea, &eb);
            assert_eq!(inputs.len(), 1);
            assert!(d.total_cost_delta_usd.is_finite());
            Ok(())
        }
    })
    .await?;
    println!("diff of two revisions: {}", summary(diffs));
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
