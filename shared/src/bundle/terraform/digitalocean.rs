//! DigitalOcean: a VPC, Droplets for the app tier (a count; DOKS autoscales on Kubernetes
//! phases), a Load Balancer, Managed PostgreSQL with a PgBouncer connection pool and read-only
//! nodes, Managed Caching (Valkey, Redis-compatible), and a Cloud Firewall.

use std::fmt::Write as _;

use crate::cost::catalog::PlanId;
use crate::tiers::CacheMode;

use super::super::BundleError;
use super::super::escape::hcl;
use super::{Layout, Part, Pin, Provider, Var};

pub(super) struct DigitalOcean;

fn droplets(m: &mut String, name: &str, count: &str, plan: &str, role: &str) {
    let _ = write!(
        m,
        r#"
resource "digitalocean_droplet" "{name}" {{
  count    = {count}
  name     = "${{var.name}}-{role}-${{count.index}}"
  region   = var.region
  size     = {size}
  image    = "ubuntu-22-04-x64"
  vpc_uuid = digitalocean_vpc.main.id
  ssh_keys = [digitalocean_ssh_key.admin.fingerprint]
  tags     = ["phaseplan", "{role}"]
}}
"#,
        size = hcl::quoted(plan),
    );
}

const FOUNDATION: &str = r#"provider "digitalocean" {
  token = var.do_token
}

resource "digitalocean_vpc" "main" {
  name     = var.name
  region   = var.region
  ip_range = "10.20.0.0/16"
}

resource "digitalocean_ssh_key" "admin" {
  name       = var.name
  public_key = var.ssh_public_key
}

"#;

const FIREWALL: &str = r#"
resource "digitalocean_firewall" "app" {
  name = var.name
  tags = ["app"]
  inbound_rule {
    protocol         = "tcp"
    port_range       = "80"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }
  inbound_rule {
    protocol         = "tcp"
    port_range       = "443"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }
  inbound_rule {
    protocol         = "tcp"
    port_range       = "22"
    source_addresses = [var.admin_cidr]
  }
  outbound_rule {
    protocol              = "tcp"
    port_range            = "1-65535"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }
  outbound_rule {
    protocol              = "udp"
    port_range            = "53"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }
}
"#;

impl Provider for DigitalOcean {
    fn pin(&self) -> Pin {
        Pin {
            source: "digitalocean/digitalocean",
            version: "~> 2.0",
            local: "digitalocean",
            region: "nyc3",
        }
    }

    fn variables(&self, l: &Layout<'_>) -> Vec<Var> {
        vec![
            Var::secret("do_token", "A DigitalOcean API token."),
            Var::app_instances(l, "App Droplets to run (no VM autoscaling outside DOKS)."),
        ]
    }

    fn foundation(&self, _l: &Layout<'_>) -> String {
        FOUNDATION.to_owned()
    }

    fn app_tier(&self, l: &Layout<'_>) -> Part {
        let mut m = String::from(
            "# App tier: a fixed count of Droplets (no VM autoscaling outside DOKS).\n",
        );
        droplets(&mut m, "app", "var.app_instances", l.app, "app");
        Part::new(m).output(
            "app_private_ips",
            "App Droplets.",
            "digitalocean_droplet.app[*].ipv4_address_private",
        )
    }

    fn load_balancer(&self, l: &Layout<'_>) -> Part {
        let p = &l.spec.phase;
        Part::new(format!(
            r#"
resource "digitalocean_loadbalancer" "app" {{
  name        = var.name
  region      = var.region
  vpc_uuid    = digitalocean_vpc.main.id
  droplet_tag = "app"
  forwarding_rule {{
    entry_port      = 80
    entry_protocol  = "http"
    target_port     = 80
    target_protocol = "http"
  }}
  healthcheck {{
    port     = 80
    protocol = "http"
    path     = "/healthz"
  }}
{sticky}}}
"#,
            sticky = if p.load_balancer.sticky_sessions {
                "  sticky_sessions {\n    type               = \"cookies\"\n    cookie_name        = \"lb\"\n    cookie_ttl_seconds = 3600\n  }\n"
            } else {
                ""
            },
        ))
        .output(
            "load_balancer_ip",
            "Point your domain here.",
            "digitalocean_loadbalancer.app.ip",
        )
    }

    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();

        let _ = writeln!(
            m,
            "\n# Self-hosted PostgreSQL: no Managed Database size in the catalog fits {} vCPU / {} GiB.",
            db.vcpu, db.memory_gib
        );
        droplets(&mut m, "postgres", &db.nodes().to_string(), vm, "postgres");
        Part::new(m).output(
            "postgres_private_ips",
            "PostgreSQL nodes.",
            "digitalocean_droplet.postgres[*].ipv4_address_private",
        )
    }

    fn managed_database(&self, l: &Layout<'_>, plan: &str) -> Result<Part, BundleError> {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();
        let _ = write!(
            m,
            r#"
# Managed PostgreSQL ({sku}): one cluster per shard, with a standby node for HA.
resource "digitalocean_database_cluster" "postgres" {{
  count                = {shards}
  name                 = "${{var.name}}-pg-${{count.index}}"
  engine               = "pg"
  version              = "15"
  size                 = {sku_q}
  region               = var.region
  node_count           = {nodes}
  private_network_uuid = digitalocean_vpc.main.id
  tags                 = ["phaseplan"]
}}
"#,
            sku = hcl::comment(&spec.database.sku),
            sku_q = hcl::quoted(plan),
            shards = db.shards,
            nodes = if db.high_availability { 2 } else { 1 },
        );
        if db.read_replicas > 0 {
            let _ = write!(
                m,
                r#"
resource "digitalocean_database_replica" "postgres" {{
  count      = {n}
  cluster_id = digitalocean_database_cluster.postgres[floor(count.index / {r})].id
  name       = "${{var.name}}-pg-${{floor(count.index / {r})}}-replica-${{count.index % {r}}}"
  size       = {sku_q}
  region     = var.region
}}
"#,
                n = db.shards * db.read_replicas,
                r = db.read_replicas,
                sku_q = hcl::quoted(plan),
            );
        }
        if db.pgbouncer {
            let _ = write!(
                m,
                r#"
# DigitalOcean runs PgBouncer itself: a transaction pool of the phase's size.
resource "digitalocean_database_connection_pool" "app" {{
  count      = {shards}
  cluster_id = digitalocean_database_cluster.postgres[count.index].id
  name       = "app"
  mode       = "transaction"
  size       = {pool}
  db_name    = "defaultdb"
  user       = "doadmin"
}}
"#,
                shards = db.shards,
                pool = db.pool_size.min(97),
            );
        }
        Ok(Part::new(m).output(
            "postgres_hosts",
            "PostgreSQL primaries (one per shard).",
            "digitalocean_database_cluster.postgres[*].private_host",
        ))
    }

    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let c = &spec.phase.cache;

        let mut m = String::new();
        let _ = writeln!(
            m,
            "\n# Redis ({}) on Droplets: no managed size in the catalog fits.",
            c.mode.label()
        );
        droplets(&mut m, "redis", &c.nodes().to_string(), vm, "redis");
        Part::new(m).output(
            "redis_private_ips",
            "Redis nodes.",
            "digitalocean_droplet.redis[*].ipv4_address_private",
        )
    }

    fn managed_cache(&self, l: &Layout<'_>, plan: &PlanId) -> Result<Part, BundleError> {
        let spec = l.spec;
        let c = &spec.phase.cache;
        let size = match plan {
            PlanId::Id(size) => size,
            other => return Err(l.wrong_plan("id", other)),
        };
        let groups = if c.mode == CacheMode::Cluster {
            c.shards
        } else {
            1
        };
        Ok(Part::new(format!(
            r#"
# Managed Caching ({sku}): Valkey, Redis-compatible{cluster}.
resource "digitalocean_database_cluster" "cache" {{
  count                = {groups}
  name                 = "${{var.name}}-cache-${{count.index}}"
  engine               = "valkey"
  version              = "8"
  size                 = {size}
  region               = var.region
  node_count           = {nodes}
  private_network_uuid = digitalocean_vpc.main.id
  eviction_policy      = "allkeys_lru"
  tags                 = ["phaseplan"]
}}
"#,
            sku = hcl::comment(&spec.cache.sku),
            size = hcl::quoted(size),
            cluster = if c.mode == CacheMode::Cluster {
                "; one cluster per shard, sharded by the app"
            } else {
                ""
            },
            nodes = if c.mode == CacheMode::Standard { 1 } else { 2 },
        ))
        .output(
            "redis_hosts",
            "Cache endpoints.",
            "digitalocean_database_cluster.cache[*].private_host",
        ))
    }

    /// The Cloud Firewall applies to the app tag, after everything it guards.
    fn perimeter(&self, _l: &Layout<'_>) -> String {
        FIREWALL.to_owned()
    }

    fn managed_kubernetes(&self, l: &Layout<'_>) -> Result<Part, BundleError> {
        let (min, max) = l.spec.app_range();
        Ok(Part::new(format!(
            r#"
data "digitalocean_kubernetes_versions" "current" {{}}

# DOKS: the app runs as a Deployment with an HPA (see ../kubernetes); the pool autoscales.
resource "digitalocean_kubernetes_cluster" "main" {{
  name     = var.name
  region   = var.region
  version  = data.digitalocean_kubernetes_versions.current.latest_version
  vpc_uuid = digitalocean_vpc.main.id
  node_pool {{
    name       = "app"
    size       = {sku_q}
    auto_scale = true
    min_nodes  = {min}
    max_nodes  = {max}
  }}
}}
"#,
            sku_q = hcl::quoted(l.app),
        ))
        .output(
            "doks_cluster_id",
            "The DOKS cluster.",
            "digitalocean_kubernetes_cluster.main.id",
        ))
    }
}
