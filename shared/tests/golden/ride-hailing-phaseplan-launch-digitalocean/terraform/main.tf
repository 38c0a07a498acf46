# phaseplan-launch: the Launch phase on DigitalOcean, sized from its bill of materials
# (estimated $476 a month; see the bundle's README for every line and its source).

locals {
  labels = {
    app     = "phaseplan"
    phase   = "launch"
    managed = "terraform"
  }
}

provider "digitalocean" {
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

# App tier: a fixed count of Droplets (no VM autoscaling outside DOKS).

resource "digitalocean_droplet" "app" {
  count    = var.app_instances
  name     = "${var.name}-app-${count.index}"
  region   = var.region
  size     = "s-2vcpu-4gb"
  image    = "ubuntu-22-04-x64"
  vpc_uuid = digitalocean_vpc.main.id
  ssh_keys = [digitalocean_ssh_key.admin.fingerprint]
  tags     = ["phaseplan", "app"]
}

# Self-hosted PostgreSQL: no Managed Database size in the catalog fits 2 vCPU / 2 GiB.

resource "digitalocean_droplet" "postgres" {
  count    = 1
  name     = "${var.name}-postgres-${count.index}"
  region   = var.region
  size     = "s-2vcpu-4gb"
  image    = "ubuntu-22-04-x64"
  vpc_uuid = digitalocean_vpc.main.id
  ssh_keys = [digitalocean_ssh_key.admin.fingerprint]
  tags     = ["phaseplan", "postgres"]
}

# Managed Caching (db-s-1vcpu-1gb (caching)): Valkey, Redis-compatible.
resource "digitalocean_database_cluster" "cache" {
  count                = 1
  name                 = "${var.name}-cache-${count.index}"
  engine               = "valkey"
  version              = "8"
  size                 = "db-s-1vcpu-1gb"
  region               = var.region
  node_count           = 1
  private_network_uuid = digitalocean_vpc.main.id
  eviction_policy      = "allkeys_lru"
  tags                 = ["phaseplan"]
}

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
