//! Hetzner Cloud: servers for the app tier (a count), a Load Balancer targeting them by label,
//! PostgreSQL and Redis self-hosted on servers with a volume for the database (Hetzner offers no
//! managed database or cache), a private network and a firewall. Kubernetes phases get servers
//! for a self-managed control plane (k3s), as the cost model prices them.

use std::fmt::Write as _;

use super::super::BundleError;
use super::super::escape::hcl;
use super::{Layout, Part, Pin, Provider, Var};

pub(super) struct Hetzner;

fn servers(m: &mut String, name: &str, count: &str, plan: &str, role: &str) {
    let _ = write!(
        m,
        r#"
resource "hcloud_server" "{name}" {{
  count        = {count}
  name         = "${{var.name}}-{role}-${{count.index}}"
  server_type  = {ty}
  image        = "ubuntu-22.04"
  location     = var.region
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [hcloud_firewall.main.id]
  labels       = merge(local.labels, {{ role = "{role}" }})
  network {{
    network_id = hcloud_network.main.id
  }}
  depends_on = [hcloud_network_subnet.main]
}}
"#,
        ty = hcl::quoted(plan),
    );
}

const FOUNDATION: &str = r#"provider "hcloud" {
  token = var.hcloud_token
}

resource "hcloud_ssh_key" "admin" {
  name       = var.name
  public_key = var.ssh_public_key
}

resource "hcloud_network" "main" {
  name     = var.name
  ip_range = "10.20.0.0/16"
}

resource "hcloud_network_subnet" "main" {
  network_id   = hcloud_network.main.id
  type         = "cloud"
  network_zone = "eu-central"
  ip_range     = "10.20.1.0/24"
}

resource "hcloud_firewall" "main" {
  name = var.name
  rule {
    direction  = "in"
    protocol   = "tcp"
    port       = "80"
    source_ips = ["0.0.0.0/0", "::/0"]
  }
  rule {
    direction  = "in"
    protocol   = "tcp"
    port       = "443"
    source_ips = ["0.0.0.0/0", "::/0"]
  }
  rule {
    direction  = "in"
    protocol   = "tcp"
    port       = "22"
    source_ips = [var.admin_cidr]
  }
}

"#;

impl Provider for Hetzner {
    fn pin(&self) -> Pin {
        Pin {
            source: "hetznercloud/hcloud",
            version: "~> 1.45",
            local: "hcloud",
            region: "nbg1",
        }
    }

    fn variables(&self, l: &Layout<'_>) -> Vec<Var> {
        vec![
            Var::secret("hcloud_token", "A Hetzner Cloud API token (read/write)."),
            Var::app_instances(l, "App servers to run (Hetzner has no VM autoscaling)."),
        ]
    }

    fn foundation(&self, _l: &Layout<'_>) -> String {
        FOUNDATION.to_owned()
    }

    fn app_tier(&self, l: &Layout<'_>) -> Part {
        let mut m =
            String::from("# App tier: a fixed count of servers (Hetzner has no VM autoscaling).\n");
        servers(&mut m, "app", "var.app_instances", l.app, "app");
        Part::new(m).output(
            "app_private_ips",
            "App servers.",
            "[for s in hcloud_server.app : one(s.network[*].ip)]",
        )
    }

    fn load_balancer(&self, l: &Layout<'_>) -> Part {
        let p = &l.spec.phase;
        Part::new(format!(
            r#"
resource "hcloud_load_balancer" "app" {{
  name               = var.name
  load_balancer_type = "lb11"
  location           = var.region
  labels             = local.labels
}}

resource "hcloud_load_balancer_network" "app" {{
  load_balancer_id = hcloud_load_balancer.app.id
  network_id       = hcloud_network.main.id
}}

resource "hcloud_load_balancer_target" "app" {{
  type             = "label_selector"
  load_balancer_id = hcloud_load_balancer.app.id
  label_selector   = "role=app"
  use_private_ip   = true
  depends_on       = [hcloud_load_balancer_network.app]
}}

resource "hcloud_load_balancer_service" "http" {{
  load_balancer_id = hcloud_load_balancer.app.id
  protocol         = "http"
  listen_port      = 80
  destination_port = 80
  http {{
    sticky_sessions = {sticky}
  }}
  health_check {{
    protocol = "http"
    port     = 80
    interval = 10
    timeout  = 5
    retries  = 3
    http {{
      path = "/healthz"
    }}
  }}
}}
"#,
            sticky = p.load_balancer.sticky_sessions,
        ))
        .output(
            "load_balancer_ip",
            "Point your domain here.",
            "hcloud_load_balancer.app.ipv4",
        )
    }

    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part {
        let db = &l.spec.phase.database;
        let mut m = String::new();
        let _ = writeln!(
            m,
            "\n# PostgreSQL on servers ({} node(s): {} shard(s) × (primary + {} replica(s){})).",
            db.nodes(),
            db.shards,
            db.read_replicas,
            if db.high_availability {
                " + standby"
            } else {
                ""
            }
        );
        servers(&mut m, "postgres", &db.nodes().to_string(), vm, "postgres");
        let _ = write!(
            m,
            r#"
resource "hcloud_volume" "postgres" {{
  count     = {nodes}
  name      = "${{var.name}}-pgdata-${{count.index}}"
  size      = {size}
  server_id = hcloud_server.postgres[count.index].id
  format    = "ext4"
  automount = true
}}
"#,
            nodes = db.nodes(),
            size = db.storage_gb.max(10),
        );
        Part::new(m).output(
            "postgres_private_ips",
            "PostgreSQL servers.",
            "[for s in hcloud_server.postgres : one(s.network[*].ip)]",
        )
    }

    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part {
        let c = &l.spec.phase.cache;
        let mut m = String::new();
        let _ = writeln!(m, "\n# Redis ({}) on servers.", c.mode.label());
        servers(&mut m, "redis", &c.nodes().to_string(), vm, "redis");
        Part::new(m).output(
            "redis_private_ips",
            "Redis servers.",
            "[for s in hcloud_server.redis : one(s.network[*].ip)]",
        )
    }

    /// The bill prices a self-managed control plane; three servers give it a quorum.
    fn self_managed_kubernetes(&self, _l: &Layout<'_>, vm: &str) -> Result<Part, BundleError> {
        let mut m = String::from(
            "\n# Kubernetes: no managed service on Hetzner. Control-plane servers for k3s; the app\n# servers join as agents. Then apply ../kubernetes.\n",
        );
        servers(&mut m, "k8s_control_plane", "3", vm, "k8s-control-plane");
        Ok(Part::new(m))
    }
}
