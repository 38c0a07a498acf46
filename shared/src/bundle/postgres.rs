//! PostgreSQL settings tuned to the phase's database nodes, and PgBouncer in transaction mode
//! when the phase pools.
//!
//! Memory settings follow the common PGTune rules for a dedicated web-workload server:
//! `shared_buffers` = 25 % of RAM, `effective_cache_size` = 75 %, `maintenance_work_mem` =
//! RAM / 16 (at most 2 GiB), `work_mem` = (RAM − shared_buffers) / (3 × max_connections) (at least
//! 4 MiB): each connection may run a few sorts at once.

use super::escape::ini;
use super::{BundleSpec, mib_of_gib};

pub fn postgresql_conf(spec: &BundleSpec) -> String {
    let db = &spec.phase.database;
    let ram_mib = mib_of_gib(db.memory_gib);
    let shared = ram_mib / 4;
    let cache = ram_mib * 3 / 4;
    let maintenance = (ram_mib / 16).clamp(64, 2_048);
    let work_mem_kib =
        ((ram_mib - shared) * 1_024 / (3 * u64::from(db.max_connections.max(1)))).max(4_096);
    let replicated = db.read_replicas > 0 || db.high_availability;
    let senders = db.read_replicas + u32::from(db.high_availability) + 2;
    let managed = if spec.database.self_hosted {
        "Self-hosted: this file is the server's postgresql.conf."
    } else {
        "Managed service: set these as the instance's parameters (parameter group / flags)."
    };
    format!(
        "# PostgreSQL for {name}: {vcpu} vCPU, {ram} GiB RAM, {storage} GB per node.\n\
         # {managed}\n\
         listen_addresses = '*'\n\
         port = 5432\n\
         max_connections = {maxc}\n\
         superuser_reserved_connections = 3\n\
         password_encryption = scram-sha-256\n\
         \n\
         # Memory (PGTune rules for a dedicated server)\n\
         shared_buffers = {shared}MB\n\
         effective_cache_size = {cache}MB\n\
         maintenance_work_mem = {maintenance}MB\n\
         work_mem = {work_mem_kib}kB\n\
         huge_pages = try\n\
         \n\
         # Write-ahead log and checkpoints\n\
         wal_buffers = 16MB\n\
         min_wal_size = 1GB\n\
         max_wal_size = 4GB\n\
         checkpoint_completion_target = 0.9\n\
         wal_level = {wal_level}\n\
         max_wal_senders = {senders}\n\
         hot_standby = on\n\
         \n\
         # SSD storage and parallelism\n\
         random_page_cost = 1.1\n\
         effective_io_concurrency = 200\n\
         max_worker_processes = {workers}\n\
         max_parallel_workers = {vcpu}\n\
         max_parallel_workers_per_gather = {gather}\n\
         max_parallel_maintenance_workers = {gather}\n\
         \n\
         # Observability (postgres_exporter reads pg_stat_statements when installed)\n\
         log_min_duration_statement = 500ms\n\
         log_checkpoints = on\n\
         log_lock_waits = on\n\
         track_io_timing = on\n",
        name = ini::comment(&spec.name()),
        vcpu = db.vcpu,
        ram = super::gib(db.memory_gib),
        storage = db.storage_gb,
        maxc = db.max_connections,
        wal_level = if replicated { "replica" } else { "minimal" },
        senders = if replicated { senders } else { 0 },
        workers = db.vcpu.max(8),
        gather = (db.vcpu / 2).max(1),
    )
}

/// PgBouncer in transaction mode: many app connections share the phase's `pool_size` server
/// connections per node. `max_client_conn` allows 50 connections per app instance at the
/// autoscaler's ceiling (assumed), at least ten times the pool.
pub fn pgbouncer_ini(spec: &BundleSpec) -> String {
    let db = &spec.phase.database;
    let clients = (spec.phase.app.max_instances * 50).max(db.pool_size * 10);
    format!(
        "; PgBouncer for {name}: transaction pooling, {pool} server connections per database.\n\
         ; Passwords live in userlist.txt (SCRAM secrets), never here.\n\
         [databases]\n\
         app = host=postgres port=5432 dbname=app\n\
         \n\
         [pgbouncer]\n\
         listen_addr = 0.0.0.0\n\
         listen_port = 6432\n\
         auth_type = scram-sha-256\n\
         auth_file = /etc/pgbouncer/userlist.txt\n\
         pool_mode = transaction\n\
         max_client_conn = {clients}\n\
         default_pool_size = {pool}\n\
         min_pool_size = {min_pool}\n\
         reserve_pool_size = {reserve}\n\
         reserve_pool_timeout = 3\n\
         max_db_connections = {pool}\n\
         server_idle_timeout = 60\n\
         server_lifetime = 3600\n\
         query_wait_timeout = 30\n\
         ignore_startup_parameters = extra_float_digits\n\
         admin_users = pgbouncer_admin\n\
         stats_users = pgbouncer_stats\n\
         log_connections = 0\n\
         log_disconnections = 0\n",
        name = ini::comment(&spec.name()),
        pool = db.pool_size,
        min_pool = (db.pool_size / 4).max(1),
        reserve = (db.pool_size / 10).max(1),
    )
}

/// PgBouncer's auth file: a placeholder line per user; the real SCRAM secrets are added at
/// deploy time.
pub fn userlist(spec: &BundleSpec) -> String {
    format!(
        ";; PgBouncer users for {}. Replace change-me with each user's SCRAM secret\n\
         ;; (SELECT rolpassword FROM pg_authid WHERE rolname = 'app') before deploying.\n\
         \"app\" \"change-me\"\n\
         \"pgbouncer_admin\" \"change-me\"\n\
         \"pgbouncer_stats\" \"change-me\"\n",
        ini::comment(&spec.name())
    )
}
