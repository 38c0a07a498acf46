//! Google Cloud: a VPC, the app tier as a regional managed instance group with an autoscaler at
//! the phase's CPU warning threshold, an external HTTP load balancer, Cloud SQL for PostgreSQL
//! (regional for HA, read replicas, one primary per shard), Memorystore for Redis, firewall
//! rules, and GKE when the phase runs on Kubernetes.

use std::fmt::Write as _;

use crate::cost::catalog::PlanId;
use crate::tiers::CacheMode;

use super::super::BundleError;
use super::super::escape::hcl;
use super::{Layout, Part, Pin, Provider, Var, app_user_data};

pub(super) struct Gcp;

const FOUNDATION: &str = r#"provider "google" {
  project = var.project
  region  = var.region
}

resource "google_compute_network" "main" {
  name                    = var.name
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "main" {
  name          = var.name
  network       = google_compute_network.main.id
  region        = var.region
  ip_cidr_range = "10.20.0.0/16"
}

resource "google_compute_firewall" "web" {
  name          = "${var.name}-web"
  network       = google_compute_network.main.id
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["app"]
  allow {
    protocol = "tcp"
    ports    = ["80", "443"]
  }
}

resource "google_compute_firewall" "ssh" {
  name          = "${var.name}-ssh"
  network       = google_compute_network.main.id
  source_ranges = [var.admin_cidr]
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_compute_firewall" "internal" {
  name          = "${var.name}-internal"
  network       = google_compute_network.main.id
  source_ranges = ["10.20.0.0/16"]
  allow {
    protocol = "tcp"
    ports    = ["5432", "6379", "6432", "26379"]
  }
}

"#;

impl Provider for Gcp {
    fn pin(&self) -> Pin {
        Pin {
            source: "hashicorp/google",
            version: "~> 5.0",
            local: "google",
            region: "us-central1",
        }
    }

    fn variables(&self, _l: &Layout<'_>) -> Vec<Var> {
        vec![Var::required(
            "project",
            "The Google Cloud project id.",
            "\"my-project-id\"",
        )]
    }

    fn foundation(&self, _l: &Layout<'_>) -> String {
        FOUNDATION.to_owned()
    }

    fn app_tier(&self, l: &Layout<'_>) -> Part {
        let spec = l.spec;
        let p = &spec.phase;
        let (min, max) = spec.app_range();
        Part::new(format!(
            r#"# App tier: {app_sku} × {min}–{max}.
resource "google_compute_instance_template" "app" {{
  name_prefix  = "${{var.name}}-app-"
  machine_type = {app_sku_q}
  tags         = ["app"]
  labels       = local.labels
  disk {{
    source_image = "ubuntu-os-cloud/ubuntu-2204-lts"
    disk_size_gb = 30
  }}
  network_interface {{
    subnetwork = google_compute_subnetwork.main.id
    access_config {{}}
  }}
  metadata = {{
    ssh-keys  = "ubuntu:${{var.ssh_public_key}}"
    user-data = {user_data}
  }}
  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "google_compute_region_instance_group_manager" "app" {{
  name               = "${{var.name}}-app"
  region             = var.region
  base_instance_name = "${{var.name}}-app"
  version {{
    instance_template = google_compute_instance_template.app.id
  }}
  named_port {{
    name = "http"
    port = 80
  }}
}}

# Holds CPU at the phase's warning threshold ({cpu} %).
resource "google_compute_region_autoscaler" "app" {{
  name   = "${{var.name}}-app"
  region = var.region
  target = google_compute_region_instance_group_manager.app.id
  autoscaling_policy {{
    min_replicas    = {min}
    max_replicas    = {max}
    cooldown_period = 90
    cpu_utilization {{
      target = {cpu_fraction}
    }}
  }}
}}
"#,
            app_sku = hcl::comment(&spec.app.sku),
            app_sku_q = hcl::quoted(l.app),
            user_data = hcl::heredoc(app_user_data(), 6, 4),
            cpu = p.thresholds.cpu.warning(),
            cpu_fraction = p.thresholds.cpu.warning() / 100.0,
        ))
        .output(
            "app_instance_group",
            "The app tier's managed instance group.",
            "google_compute_region_instance_group_manager.app.instance_group",
        )
    }

    fn load_balancer(&self, l: &Layout<'_>) -> Part {
        let p = &l.spec.phase;
        Part::new(format!(
            r#"
resource "google_compute_health_check" "app" {{
  name = "${{var.name}}-app"
  http_health_check {{
    port         = 80
    request_path = "/healthz"
  }}
}}

resource "google_compute_backend_service" "app" {{
  name             = "${{var.name}}-app"
  protocol         = "HTTP"
  port_name        = "http"
  timeout_sec      = 3600
  session_affinity = "{affinity}"
  health_checks    = [google_compute_health_check.app.id]
  backend {{
    group = google_compute_region_instance_group_manager.app.instance_group
  }}
}}

resource "google_compute_url_map" "app" {{
  name            = var.name
  default_service = google_compute_backend_service.app.id
}}

resource "google_compute_target_http_proxy" "app" {{
  name    = var.name
  url_map = google_compute_url_map.app.id
}}

resource "google_compute_global_forwarding_rule" "app" {{
  name       = var.name
  target     = google_compute_target_http_proxy.app.id
  port_range = "80"
}}
"#,
            affinity = if p.load_balancer.sticky_sessions {
                "CLIENT_IP"
            } else {
                "NONE"
            },
        ))
        .output(
            "load_balancer_ip",
            "Point your domain here.",
            "google_compute_global_forwarding_rule.app.ip_address",
        )
    }

    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let db = &spec.phase.database;

        Part::new(format!(
            r#"
# Self-hosted PostgreSQL: no Cloud SQL tier in the catalog fits {dvcpu} vCPU / {dmem} GiB.
resource "google_compute_instance" "postgres" {{
  count        = {nodes}
  name         = "${{var.name}}-postgres-${{count.index}}"
  machine_type = {sku_q}
  zone         = "${{var.region}}-a"
  labels       = local.labels
  boot_disk {{
    initialize_params {{
      image = "ubuntu-os-cloud/ubuntu-2204-lts"
      size  = {storage}
    }}
  }}
  network_interface {{
    subnetwork = google_compute_subnetwork.main.id
  }}
  metadata = {{
    ssh-keys = "ubuntu:${{var.ssh_public_key}}"
  }}
}}
"#,
            dvcpu = db.vcpu,
            dmem = db.memory_gib,
            nodes = db.nodes(),
            sku_q = hcl::quoted(vm),
            storage = db.storage_gb.max(20),
        ))
        .output(
            "postgres_private_ips",
            "PostgreSQL nodes.",
            "google_compute_instance.postgres[*].network_interface[0].network_ip",
        )
    }

    fn managed_database(&self, l: &Layout<'_>, plan: &str) -> Result<Part, BundleError> {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = format!(
            r#"
# Cloud SQL: {shards} primary(ies) on {sku}{ha}, {replicas} read replica(s) each.
resource "google_sql_database_instance" "primary" {{
  count               = {shards}
  name                = "${{var.name}}-pg-${{count.index}}"
  database_version    = "POSTGRES_15"
  region              = var.region
  deletion_protection = true
  settings {{
    tier              = {sku_q}
    availability_type = "{availability}"
    disk_size         = {storage}
    disk_type         = "PD_SSD"
    user_labels       = local.labels
    backup_configuration {{
      enabled                        = true
      point_in_time_recovery_enabled = true
    }}
    database_flags {{
      name  = "max_connections"
      value = "{maxc}"
    }}
  }}
}}

resource "google_sql_user" "app" {{
  count    = {shards}
  name     = "app_admin"
  instance = google_sql_database_instance.primary[count.index].name
  password = var.db_password
}}
"#,
            shards = db.shards,
            sku = hcl::comment(&spec.database.sku),
            sku_q = hcl::quoted(plan),
            ha = if db.high_availability {
                " (regional HA)"
            } else {
                ""
            },
            replicas = db.read_replicas,
            availability = if db.high_availability {
                "REGIONAL"
            } else {
                "ZONAL"
            },
            storage = db.storage_gb.max(10),
            maxc = db.max_connections,
        );
        if db.read_replicas > 0 {
            let _ = write!(
                m,
                r#"
resource "google_sql_database_instance" "replica" {{
  count                = {n}
  name                 = "${{var.name}}-pg-${{floor(count.index / {r})}}-replica-${{count.index % {r}}}"
  database_version     = "POSTGRES_15"
  region               = var.region
  master_instance_name = google_sql_database_instance.primary[floor(count.index / {r})].name
  deletion_protection  = false
  settings {{
    tier = {sku_q}
  }}
}}
"#,
                n = db.shards * db.read_replicas,
                r = db.read_replicas,
                sku_q = hcl::quoted(plan),
            );
        }
        Ok(Part::new(m).output(
            "postgres_connection_names",
            "Cloud SQL primaries (one per shard).",
            "google_sql_database_instance.primary[*].connection_name",
        ))
    }

    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let c = &spec.phase.cache;

        Part::new(format!(
            r#"
# Self-hosted Redis ({mode}): no Memorystore size in the catalog fits.
resource "google_compute_instance" "redis" {{
  count        = {nodes}
  name         = "${{var.name}}-redis-${{count.index}}"
  machine_type = {sku_q}
  zone         = "${{var.region}}-a"
  labels       = local.labels
  boot_disk {{
    initialize_params {{
      image = "ubuntu-os-cloud/ubuntu-2204-lts"
    }}
  }}
  network_interface {{
    subnetwork = google_compute_subnetwork.main.id
  }}
  metadata = {{
    ssh-keys = "ubuntu:${{var.ssh_public_key}}"
  }}
}}
"#,
            mode = c.mode.label(),
            nodes = c.nodes(),
            sku_q = hcl::quoted(vm),
        ))
        .output(
            "redis_private_ips",
            "Redis nodes.",
            "google_compute_instance.redis[*].network_interface[0].network_ip",
        )
    }

    fn managed_cache(&self, l: &Layout<'_>, plan: &PlanId) -> Result<Part, BundleError> {
        let spec = l.spec;
        let c = &spec.phase.cache;
        let gb = match plan {
            PlanId::MemoryGb(gb) => *gb,
            other => return Err(l.wrong_plan("memory_gb", other)),
        };
        let groups = if c.mode == CacheMode::Cluster {
            c.shards
        } else {
            1
        };
        Ok(Part::new(format!(
            r#"
# Memorystore ({sku}){cluster}. Memorystore generates the AUTH string: read it from the
# auth_string attribute (sensitive) instead of var.redis_password.
resource "google_redis_instance" "cache" {{
  count              = {groups}
  name               = "${{var.name}}-redis-${{count.index}}"
  tier               = "{tier}"
  memory_size_gb     = {gb}
  region             = var.region
  redis_version      = "REDIS_7_0"
  authorized_network = google_compute_network.main.id
  auth_enabled       = true
  labels             = local.labels
  redis_configs = {{
    maxmemory-policy = "allkeys-lru"
  }}
}}
"#,
            sku = hcl::comment(&spec.cache.sku),
            cluster = if c.mode == CacheMode::Cluster {
                ": one instance per shard, sharded by the app"
            } else {
                ""
            },
            tier = if c.mode == CacheMode::Standard {
                "BASIC"
            } else {
                "STANDARD_HA"
            },
        ))
        .output(
            "redis_hosts",
            "Memorystore endpoints.",
            "google_redis_instance.cache[*].host",
        ))
    }

    fn managed_kubernetes(&self, l: &Layout<'_>) -> Result<Part, BundleError> {
        let (min, max) = l.spec.app_range();
        Ok(Part::new(format!(
            r#"
# GKE: the app runs as a Deployment with an HPA (see ../kubernetes).
resource "google_container_cluster" "main" {{
  name                     = var.name
  location                 = var.region
  network                  = google_compute_network.main.id
  subnetwork               = google_compute_subnetwork.main.id
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = true
}}

resource "google_container_node_pool" "app" {{
  name     = "app"
  cluster  = google_container_cluster.main.id
  location = var.region
  autoscaling {{
    min_node_count = {min}
    max_node_count = {max}
  }}
  node_config {{
    machine_type = {app_sku_q}
    labels       = local.labels
  }}
}}
"#,
            app_sku_q = hcl::quoted(l.app),
        ))
        .output(
            "gke_cluster",
            "The GKE cluster.",
            "google_container_cluster.main.name",
        ))
    }
}
