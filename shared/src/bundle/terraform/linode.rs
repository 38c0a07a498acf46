//! Akamai (Linode): instances for the app tier (Linode has no VM autoscaling group: the count is
//! a variable, or LKE's autoscaler on Kubernetes phases), a NodeBalancer, Managed PostgreSQL,
//! Redis self-hosted on instances (no managed Redis), and a Cloud Firewall.

use std::fmt::Write as _;

use super::super::BundleSpec;
use super::super::escape::hcl;
use super::gcp::gb_in_name;
use super::{ProviderParts, Var};

/// The Managed Database plan type for a catalog SKU ("Shared 4 GB", "Dedicated 8 GB").
fn database_type(sku: &str) -> String {
    let gb = gb_in_name(sku).unwrap_or(4);
    let dedicated = sku.starts_with("Dedicated");
    let t = match (dedicated, gb) {
        (false, 1) => "g6-nanode-1",
        (false, 2) => "g6-standard-1",
        (false, 4) => "g6-standard-2",
        (false, 8) => "g6-standard-4",
        (false, 16) => "g6-standard-6",
        (false, _) => "g6-standard-8",
        (true, 4) => "g6-dedicated-2",
        (true, 8) => "g6-dedicated-4",
        (true, 16) => "g6-dedicated-8",
        (true, _) => "g6-dedicated-16",
    };
    t.to_owned()
}

fn instances(m: &mut String, name: &str, count: &str, sku: &str, role: &str) {
    let _ = write!(
        m,
        r#"
resource "linode_instance" "{name}" {{
  count           = {count}
  label           = "${{var.name}}-{role}-${{count.index}}"
  region          = var.region
  type            = {sku}
  image           = "linode/ubuntu22.04"
  authorized_keys = [chomp(var.ssh_public_key)]
  private_ip      = true
  tags            = ["phaseplan", "{role}"]
}}
"#,
        sku = hcl::quoted(sku),
    );
}

pub(super) fn parts(spec: &BundleSpec) -> ProviderParts {
    let p = &spec.phase;
    let db = &p.database;
    let c = &p.cache;
    let (min, max) = spec.app_range();
    let mut m = String::from(
        "provider \"linode\" {\n  token = var.linode_token\n}\n\n\
         # App tier: no VM autoscaling on Linode; app_instances starts at the phase's peak need.\n",
    );
    instances(&mut m, "app", "var.app_instances", &spec.app.sku, "app");
    if spec.managed_lb() {
        let _ = write!(
            m,
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
        );
    }
    if spec.database.self_hosted {
        let _ = writeln!(
            m,
            "\n# Self-hosted PostgreSQL: no Managed Database plan in the catalog fits {} vCPU / {} GiB.",
            db.vcpu, db.memory_gib
        );
        instances(
            &mut m,
            "postgres",
            &db.nodes().to_string(),
            &spec.database.sku,
            "postgres",
        );
    } else {
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
            plan = hcl::quoted(&database_type(&spec.database.sku)),
            size = if db.high_availability || db.read_replicas > 0 {
                3
            } else {
                1
            },
        );
    }
    let _ = writeln!(
        m,
        "\n# Redis ({}) on instances: Linode offers no managed Redis.",
        c.mode.label()
    );
    instances(
        &mut m,
        "redis",
        &c.nodes().to_string(),
        &spec.cache.sku,
        "redis",
    );
    let _ = write!(
        m,
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
        pg_ids = if spec.database.self_hosted {
            ", linode_instance.postgres[*].id"
        } else {
            ""
        },
    );
    if p.kubernetes {
        let _ = write!(
            m,
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
            sku_q = hcl::quoted(&spec.app.sku),
        );
    }
    let mut outputs = vec![(
        "app_private_ips",
        "App instances.",
        "linode_instance.app[*].private_ip_address".to_owned(),
    )];
    if spec.managed_lb() {
        outputs.push((
            "load_balancer_ip",
            "Point your domain here.",
            "linode_nodebalancer.app.ipv4".to_owned(),
        ));
    }
    outputs.push(if spec.database.self_hosted {
        (
            "postgres_private_ips",
            "PostgreSQL nodes.",
            "linode_instance.postgres[*].private_ip_address".to_owned(),
        )
    } else {
        (
            "postgres_hosts",
            "PostgreSQL primaries (one per shard).",
            "linode_database_postgresql_v2.main[*].host_primary".to_owned(),
        )
    });
    outputs.push((
        "redis_private_ips",
        "Redis nodes.",
        "linode_instance.redis[*].private_ip_address".to_owned(),
    ));
    if p.kubernetes {
        outputs.push((
            "lke_cluster_id",
            "The LKE cluster.",
            "linode_lke_cluster.main.id".to_owned(),
        ));
    }
    ProviderParts {
        source: "linode/linode",
        version: "~> 2.0",
        local: "linode",
        region: "us-east",
        variables: vec![
            Var::secret("linode_token", "A Linode API token with read/write scopes."),
            Var {
                name: "app_instances",
                description: "App instances to run (no VM autoscaling on Linode).",
                ty: "number",
                sensitive: false,
                default: Some(spec.app.quantity.clamp(min, max).to_string()),
                example: "",
            },
        ],
        main: m,
        outputs,
    }
}
