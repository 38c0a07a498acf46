# phaseplan-launch: the Launch phase on Hetzner Cloud, sized from its bill of materials
# (estimated $502 a month; see the bundle's README for every line and its source).

locals {
  labels = {
    app     = "phaseplan"
    phase   = "launch"
    managed = "terraform"
  }
}

provider "hcloud" {
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

# App tier: a fixed count of servers (Hetzner has no VM autoscaling).

resource "hcloud_server" "app" {
  count        = var.app_instances
  name         = "${var.name}-app-${count.index}"
  server_type  = "cx22"
  image        = "ubuntu-22.04"
  location     = var.region
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [hcloud_firewall.main.id]
  labels       = merge(local.labels, { role = "app" })
  network {
    network_id = hcloud_network.main.id
  }
  depends_on = [hcloud_network_subnet.main]
}

# PostgreSQL on servers (1 node(s): 1 shard(s) × (primary + 0 replica(s))).

resource "hcloud_server" "postgres" {
  count        = 1
  name         = "${var.name}-postgres-${count.index}"
  server_type  = "cx22"
  image        = "ubuntu-22.04"
  location     = var.region
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [hcloud_firewall.main.id]
  labels       = merge(local.labels, { role = "postgres" })
  network {
    network_id = hcloud_network.main.id
  }
  depends_on = [hcloud_network_subnet.main]
}

resource "hcloud_volume" "postgres" {
  count     = 1
  name      = "${var.name}-pgdata-${count.index}"
  size      = 20
  server_id = hcloud_server.postgres[count.index].id
  format    = "ext4"
  automount = true
}

# Redis (Standard) on servers.

resource "hcloud_server" "redis" {
  count        = 1
  name         = "${var.name}-redis-${count.index}"
  server_type  = "cx22"
  image        = "ubuntu-22.04"
  location     = var.region
  ssh_keys     = [hcloud_ssh_key.admin.id]
  firewall_ids = [hcloud_firewall.main.id]
  labels       = merge(local.labels, { role = "redis" })
  network {
    network_id = hcloud_network.main.id
  }
  depends_on = [hcloud_network_subnet.main]
}
