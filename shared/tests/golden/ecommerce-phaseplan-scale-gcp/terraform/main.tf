# phaseplan-scale: the Scale phase on Google Cloud, sized from its bill of materials
# (estimated $11027 a month; see the bundle's README for every line and its source).

locals {
  labels = {
    app     = "phaseplan"
    phase   = "scale"
    managed = "terraform"
  }
}

provider "google" {
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

# App tier: e2-standard-8 × 3–10.
resource "google_compute_instance_template" "app" {
  name_prefix  = "${var.name}-app-"
  machine_type = "e2-standard-8"
  tags         = ["app"]
  labels       = local.labels
  disk {
    source_image = "ubuntu-os-cloud/ubuntu-2204-lts"
    disk_size_gb = 30
  }
  network_interface {
    subnetwork = google_compute_subnetwork.main.id
    access_config {}
  }
  metadata = {
    ssh-keys  = "ubuntu:${var.ssh_public_key}"
    user-data = <<-EOT
      #cloud-config
      package_update: true
      packages:
        - docker.io
      runcmd:
        - systemctl enable --now docker
    EOT
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_region_instance_group_manager" "app" {
  name               = "${var.name}-app"
  region             = var.region
  base_instance_name = "${var.name}-app"
  version {
    instance_template = google_compute_instance_template.app.id
  }
  named_port {
    name = "http"
    port = 80
  }
}

# Holds CPU at the phase's warning threshold (70 %).
resource "google_compute_region_autoscaler" "app" {
  name   = "${var.name}-app"
  region = var.region
  target = google_compute_region_instance_group_manager.app.id
  autoscaling_policy {
    min_replicas    = 3
    max_replicas    = 10
    cooldown_period = 90
    cpu_utilization {
      target = 0.7
    }
  }
}

resource "google_compute_health_check" "app" {
  name = "${var.name}-app"
  http_health_check {
    port         = 80
    request_path = "/healthz"
  }
}

resource "google_compute_backend_service" "app" {
  name             = "${var.name}-app"
  protocol         = "HTTP"
  port_name        = "http"
  timeout_sec      = 3600
  session_affinity = "CLIENT_IP"
  health_checks    = [google_compute_health_check.app.id]
  backend {
    group = google_compute_region_instance_group_manager.app.instance_group
  }
}

resource "google_compute_url_map" "app" {
  name            = var.name
  default_service = google_compute_backend_service.app.id
}

resource "google_compute_target_http_proxy" "app" {
  name    = var.name
  url_map = google_compute_url_map.app.id
}

resource "google_compute_global_forwarding_rule" "app" {
  name       = var.name
  target     = google_compute_target_http_proxy.app.id
  port_range = "80"
}

# Cloud SQL: 2 primary(ies) on db-custom-16-61440 (regional HA), 2 read replica(s) each.
resource "google_sql_database_instance" "primary" {
  count               = 2
  name                = "${var.name}-pg-${count.index}"
  database_version    = "POSTGRES_15"
  region              = var.region
  deletion_protection = true
  settings {
    tier              = "db-custom-16-61440"
    availability_type = "REGIONAL"
    disk_size         = 200
    disk_type         = "PD_SSD"
    user_labels       = local.labels
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }
    database_flags {
      name  = "max_connections"
      value = "400"
    }
  }
}

resource "google_sql_user" "app" {
  count    = 2
  name     = "app_admin"
  instance = google_sql_database_instance.primary[count.index].name
  password = var.db_password
}

resource "google_sql_database_instance" "replica" {
  count                = 4
  name                 = "${var.name}-pg-${floor(count.index / 2)}-replica-${count.index % 2}"
  database_version     = "POSTGRES_15"
  region               = var.region
  master_instance_name = google_sql_database_instance.primary[floor(count.index / 2)].name
  deletion_protection  = false
  settings {
    tier = "db-custom-16-61440"
  }
}

# Memorystore (Memorystore Basic 25 GB): one instance per shard, sharded by the app. Memorystore generates the AUTH string: read it from the
# auth_string attribute (sensitive) instead of var.redis_password.
resource "google_redis_instance" "cache" {
  count              = 3
  name               = "${var.name}-redis-${count.index}"
  tier               = "STANDARD_HA"
  memory_size_gb     = 25
  region             = var.region
  redis_version      = "REDIS_7_0"
  authorized_network = google_compute_network.main.id
  auth_enabled       = true
  labels             = local.labels
  redis_configs = {
    maxmemory-policy = "allkeys-lru"
  }
}

# GKE: the app runs as a Deployment with an HPA (see ../kubernetes).
resource "google_container_cluster" "main" {
  name                     = var.name
  location                 = var.region
  network                  = google_compute_network.main.id
  subnetwork               = google_compute_subnetwork.main.id
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = true
}

resource "google_container_node_pool" "app" {
  name     = "app"
  cluster  = google_container_cluster.main.id
  location = var.region
  autoscaling {
    min_node_count = 3
    max_node_count = 10
  }
  node_config {
    machine_type = "e2-standard-8"
    labels       = local.labels
  }
}
