# phaseplan-growth: the Growth phase on Linode (Akamai), sized from its bill of materials
# (estimated $806 a month; see the bundle's README for every line and its source).

locals {
  labels = {
    app     = "phaseplan"
    phase   = "growth"
    managed = "terraform"
  }
}

provider "linode" {
  token = var.linode_token
}

# App tier: no VM autoscaling on Linode; app_instances starts at the phase's peak need.

resource "linode_instance" "app" {
  count           = var.app_instances
  label           = "${var.name}-app-${count.index}"
  region          = var.region
  type            = "g6-standard-6"
  image           = "linode/ubuntu22.04"
  authorized_keys = [chomp(var.ssh_public_key)]
  private_ip      = true
  tags            = ["phaseplan", "app"]
}

resource "linode_nodebalancer" "app" {
  label                = var.name
  region               = var.region
  client_conn_throttle = 20
}

resource "linode_nodebalancer_config" "http" {
  nodebalancer_id = linode_nodebalancer.app.id
  port            = 80
  protocol        = "http"
  algorithm       = "roundrobin"
  stickiness      = "http_cookie"
  check           = "http"
  check_path      = "/healthz"
}

resource "linode_nodebalancer_node" "app" {
  count           = var.app_instances
  nodebalancer_id = linode_nodebalancer.app.id
  config_id       = linode_nodebalancer_config.http.id
  label           = "app-${count.index}"
  address         = "${linode_instance.app[count.index].private_ip_address}:80"
}

# Managed PostgreSQL (Shared 4 GB): one cluster per shard; 3 nodes give failover and read replicas.
resource "linode_database_postgresql_v2" "main" {
  count        = 1
  label        = "${var.name}-pg-${count.index}"
  engine_id    = "postgresql/16"
  region       = var.region
  type         = "g6-standard-2"
  cluster_size = 3
  allow_list   = [for i in linode_instance.app : "${i.private_ip_address}/32"]
}

# Redis (Sentinel) on instances: Linode offers no managed Redis.

resource "linode_instance" "redis" {
  count           = 3
  label           = "${var.name}-redis-${count.index}"
  region          = var.region
  type            = "g6-standard-2"
  image           = "linode/ubuntu22.04"
  authorized_keys = [chomp(var.ssh_public_key)]
  private_ip      = true
  tags            = ["phaseplan", "redis"]
}

resource "linode_firewall" "main" {
  label           = var.name
  inbound_policy  = "DROP"
  outbound_policy = "ACCEPT"
  inbound {
    label    = "http"
    action   = "ACCEPT"
    protocol = "TCP"
    ports    = "80,443"
    ipv4     = ["0.0.0.0/0"]
  }
  inbound {
    label    = "ssh"
    action   = "ACCEPT"
    protocol = "TCP"
    ports    = "22"
    ipv4     = [var.admin_cidr]
  }
  inbound {
    label    = "private"
    action   = "ACCEPT"
    protocol = "TCP"
    ports    = "5432,6379,6432,26379"
    ipv4     = ["192.168.128.0/17"]
  }
  linodes = concat(linode_instance.app[*].id, linode_instance.redis[*].id)
}
