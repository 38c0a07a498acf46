//! Akamai (Linode): instances for the app tier (Linode has no VM autoscaling group: the count is
//! a variable, or LKE's autoscaler on Kubernetes phases), a NodeBalancer, Managed PostgreSQL,
//! Redis self-hosted on instances (no managed Redis), and a Cloud Firewall.

use std::fmt::Write as _;

use super::super::BundleError;
use super::super::escape::hcl;
use super::{Layout, Part, Pin, Provider, Service, Var};

pub(super) struct Linode;

fn instances(m: &mut String, name: &str, count: &str, plan: &str, role: &str) {
    let _ = write!(
        m,
        r#"
resource "linode_instance" "{name}" {{
  count           = {count}
  label           = "${{var.name}}-{role}-${{count.index}}"
  region          = var.region
  type            = {plan}
  image           = "linode/ubuntu22.04"
  authorized_keys = [chomp(var.ssh_public_key)]
  private_ip      = true
  tags            = ["phaseplan", "{role}"]
}}
"#,
        plan = hcl::quoted(plan),
    );
}

impl Provider for Linode {
    fn pin(&self) -> Pin {
        Pin {
            source: "linode/linode",
            version: "~> 2.0",
            local: "linode",
            region: "us-east",
        }
    }

    fn variables(&self, l: &Layout<'_>) -> Vec<Var> {
        vec![
            Var::secret("linode_token", "A Linode API token with read/write scopes."),
            Var::app_instances(l, "App instances to run (no VM autoscaling on Linode)."),
        ]
    }

    fn foundation(&self, _l: &Layout<'_>) -> String {
        "provider \"linode\" {\n  token = var.linode_token\n}\n\n".to_owned()
    }

    fn app_tier(&self, l: &Layout<'_>) -> Part {
        let mut m = String::from(
            "# App tier: no VM autoscaling on Linode; app_instances starts at the phase's peak need.\n",
        );
        instances(&mut m, "app", "var.app_instances", l.app, "app");
        Part::new(m).output(
            "app_private_ips",
            "App instances.",
            "linode_instance.app[*].private_ip_address",
        )
    }

    fn load_balancer(&self, l: &Layout<'_>) -> Part {
        let p = &l.spec.phase;
        Part::new(format!(
            r#"
resource "linode_nodebalancer" "app" {{
  label                = var.name
  region               = var.region
  client_conn_throttle = 20
}}

resource "linode_nodebalancer_config" "http" {{
  nodebalancer_id = linode_nodebalancer.app.id
  port            = 80
  protocol        = "http"
  algorithm       = "roundrobin"
  stickiness      = "{sticky}"
  check           = "http"
  check_path      = "/healthz"
}}

resource "linode_nodebalancer_node" "app" {{
  count           = var.app_instances
  nodebalancer_id = linode_nodebalancer.app.id
  config_id       = linode_nodebalancer_config.http.id
  label           = "app-${{count.index}}"
  address         = "${{linode_instance.app[count.index].private_ip_address}}:80"
}}
"#,
            sticky = if p.load_balancer.sticky_sessions {
                "http_cookie"
            } else {
                "none"
            },
        ))
        .output(
            "load_balancer_ip",
            "Point your domain here.",
            "linode_nodebalancer.app.ipv4",
        )
    }

    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();

        let _ = writeln!(
            m,
            "\n# Self-hosted PostgreSQL: no Managed Database plan in the catalog fits {} vCPU / {} GiB.",
            db.vcpu, db.memory_gib
        );
        instances(&mut m, "postgres", &db.nodes().to_string(), vm, "postgres");
        Part::new(m).output(
            "postgres_private_ips",
            "PostgreSQL nodes.",
            "linode_instance.postgres[*].private_ip_address",
        )
    }

    fn managed_database(&self, l: &Layout<'_>, plan: &str) -> Result<Part, BundleError> {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();

        let _ = write!(
            m,
            r#"
# Managed PostgreSQL ({sku}): one cluster per shard; 3 nodes give failover and read replicas.
resource "linode_database_postgresql_v2" "main" {{
  count        = {shards}
  label        = "${{var.name}}-pg-${{count.index}}"
  engine_id    = "postgresql/16"
  region       = var.region
  type         = {plan}
  cluster_size = {size}
  allow_list   = [for i in linode_instance.app : "${{i.private_ip_address}}/32"]
}}
"#,
            sku = hcl::comment(&spec.database.sku),
            shards = db.shards,
            plan = hcl::quoted(plan),
            size = if db.high_availability || db.read_replicas > 0 {
                3
            } else {
                1
            },
        );
        Ok(Part::new(m).output(
            "postgres_hosts",
            "PostgreSQL primaries (one per shard).",
            "linode_database_postgresql_v2.main[*].host_primary",
        ))
    }

    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part {
        let c = &l.spec.phase.cache;
        let mut m = String::new();
        let _ = writeln!(
            m,
            "\n# Redis ({}) on instances: Linode offers no managed Redis.",
            c.mode.label()
        );
        instances(&mut m, "redis", &c.nodes().to_string(), vm, "redis");
        Part::new(m).output(
            "redis_private_ips",
            "Redis nodes.",
            "linode_instance.redis[*].private_ip_address",
        )
    }

    /// The Cloud Firewall names every instance, so it comes after them all.
    fn perimeter(&self, l: &Layout<'_>) -> String {
        format!(
            r#"
resource "linode_firewall" "main" {{
  label           = var.name
  inbound_policy  = "DROP"
  outbound_policy = "ACCEPT"
  inbound {{
    label    = "http"
    action   = "ACCEPT"
    protocol = "TCP"
    ports    = "80,443"
    ipv4     = ["0.0.0.0/0"]
  }}
  inbound {{
    label    = "ssh"
    action   = "ACCEPT"
    protocol = "TCP"
    ports    = "22"
    ipv4     = [var.admin_cidr]
  }}
  inbound {{
    label    = "private"
    action   = "ACCEPT"
    protocol = "TCP"
    ports    = "5432,6379,6432,26379"
    ipv4     = ["192.168.128.0/17"]
  }}
  linodes = concat(linode_instance.app[*].id, linode_instance.redis[*].id{pg_ids})
}}
"#,
            pg_ids = match l.database {
                Service::SelfHosted { .. } => ", linode_instance.postgres[*].id",
                Service::Managed(_) => "",
            },
        )
    }

    fn managed_kubernetes(&self, l: &Layout<'_>) -> Result<Part, BundleError> {
        let (min, max) = l.spec.app_range();
        Ok(Part::new(format!(
            r#"
# LKE: the app runs as a Deployment with an HPA (see ../kubernetes); the pool autoscales.
resource "linode_lke_cluster" "main" {{
  label       = var.name
  k8s_version = "1.31"
  region      = var.region
  tags        = ["phaseplan"]
  pool {{
    type  = {sku_q}
    count = {min}
    autoscaler {{
      min = {min}
      max = {max}
    }}
  }}
}}
"#,
            sku_q = hcl::quoted(l.app),
        ))
        .output(
            "lke_cluster_id",
            "The LKE cluster.",
            "linode_lke_cluster.main.id",
        ))
    }
}
