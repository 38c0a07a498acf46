//! Azure: a resource group and virtual network, the app tier as a Linux VM scale set with an
//! autoscale setting at the phase's CPU warning threshold, a Standard load balancer, PostgreSQL
//! Flexible Server (zone-redundant HA, read replicas, one primary per shard) in a delegated
//! subnet, Azure Cache for Redis, a network security group, and AKS on Kubernetes phases.

use std::fmt::Write as _;

use crate::cost::catalog::PlanId;
use crate::tiers::CacheMode;

use super::super::BundleError;
use super::super::escape::hcl;
use super::{Layout, Part, Pin, Provider, Var};

pub(super) struct Azure;

const FOUNDATION: &str = r#"provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}

resource "azurerm_resource_group" "main" {
  name     = var.name
  location = var.region
  tags     = local.labels
}

resource "azurerm_virtual_network" "main" {
  name                = var.name
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "app" {
  name                 = "app"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.20.1.0/24"]
}

resource "azurerm_subnet" "data" {
  name                 = "data"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.20.2.0/24"]
  delegation {
    name = "postgres"
    service_delegation {
      name    = "Microsoft.DBforPostgreSQL/flexibleServers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_network_security_group" "app" {
  name                = "${var.name}-app"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  security_rule {
    name                       = "http"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["80", "443"]
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
  security_rule {
    name                       = "ssh"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = var.admin_cidr
    destination_address_prefix = "*"
  }
}

resource "azurerm_subnet_network_security_group_association" "app" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.app.id
}
"#;

impl Provider for Azure {
    fn pin(&self) -> Pin {
        Pin {
            source: "hashicorp/azurerm",
            version: "~> 4.0",
            local: "azurerm",
            region: "eastus",
        }
    }

    fn variables(&self, _l: &Layout<'_>) -> Vec<Var> {
        vec![Var::required(
            "subscription_id",
            "The Azure subscription to deploy into.",
            "\"00000000-0000-0000-0000-000000000000\"",
        )]
    }

    fn foundation(&self, _l: &Layout<'_>) -> String {
        FOUNDATION.to_owned()
    }

    /// The scale set names the load balancer's pool and probe.
    fn load_balancer_first(&self) -> bool {
        true
    }

    fn load_balancer(&self, l: &Layout<'_>) -> Part {
        let p = &l.spec.phase;
        Part::new(format!(
            r#"
resource "azurerm_public_ip" "lb" {{
  name                = "${{var.name}}-lb"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  allocation_method   = "Static"
  sku                 = "Standard"
}}

resource "azurerm_lb" "app" {{
  name                = var.name
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "Standard"
  frontend_ip_configuration {{
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.lb.id
  }}
}}

resource "azurerm_lb_backend_address_pool" "app" {{
  name            = "app"
  loadbalancer_id = azurerm_lb.app.id
}}

resource "azurerm_lb_probe" "app" {{
  name            = "healthz"
  loadbalancer_id = azurerm_lb.app.id
  protocol        = "Http"
  port            = 80
  request_path    = "/healthz"
}}

resource "azurerm_lb_rule" "http" {{
  name                           = "http"
  loadbalancer_id                = azurerm_lb.app.id
  protocol                       = "Tcp"
  frontend_port                  = 80
  backend_port                   = 80
  frontend_ip_configuration_name = "public"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.app.id]
  probe_id                       = azurerm_lb_probe.app.id
  load_distribution              = "{distribution}"
  idle_timeout_in_minutes        = 30
}}
"#,
            distribution = if p.load_balancer.sticky_sessions {
                "SourceIP"
            } else {
                "Default"
            },
        ))
        .output(
            "load_balancer_ip",
            "Point your domain here.",
            "azurerm_public_ip.lb.ip_address",
        )
    }

    fn app_tier(&self, l: &Layout<'_>) -> Part {
        let spec = l.spec;
        let (min, max) = spec.app_range();
        let cpu = spec.phase.thresholds.cpu.warning();
        Part::new(format!(
            r#"
# App tier: {sku} × {min}–{max}.
resource "azurerm_linux_virtual_machine_scale_set" "app" {{
  name                = "${{var.name}}-app"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = {sku_q}
  instances           = {min}
  admin_username      = "azureuser"
  upgrade_mode        = "Rolling"
  health_probe_id     = {probe}
  tags                = local.labels
  admin_ssh_key {{
    username   = "azureuser"
    public_key = var.ssh_public_key
  }}
  source_image_reference {{
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts-gen2"
    version   = "latest"
  }}
  os_disk {{
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }}
  rolling_upgrade_policy {{
    max_batch_instance_percent              = 20
    max_unhealthy_instance_percent          = 20
    max_unhealthy_upgraded_instance_percent = 20
    pause_time_between_batches              = "PT30S"
  }}
  network_interface {{
    name    = "app"
    primary = true
    ip_configuration {{
      name                                   = "internal"
      primary                                = true
      subnet_id                              = azurerm_subnet.app.id
      load_balancer_backend_address_pool_ids = {pool}
    }}
  }}
}}

# Scales out above the phase's CPU warning threshold ({cpu} %), in well below it.
resource "azurerm_monitor_autoscale_setting" "app" {{
  name                = "${{var.name}}-app"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  target_resource_id  = azurerm_linux_virtual_machine_scale_set.app.id
  profile {{
    name = "cpu"
    capacity {{
      default = {min}
      minimum = {min}
      maximum = {max}
    }}
    rule {{
      metric_trigger {{
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.app.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = {cpu}
      }}
      scale_action {{
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT5M"
      }}
    }}
    rule {{
      metric_trigger {{
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.app.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = {cpu_low}
      }}
      scale_action {{
        direction = "Decrease"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT10M"
      }}
    }}
  }}
}}
"#,
            sku = hcl::comment(&spec.app.sku),
            sku_q = hcl::quoted(l.app),
            probe = if l.load_balancer {
                "azurerm_lb_probe.app.id"
            } else {
                "null"
            },
            pool = if l.load_balancer {
                "[azurerm_lb_backend_address_pool.app.id]"
            } else {
                "[]"
            },
            cpu_low = (cpu - 30.0).max(10.0),
        ))
        .output(
            "app_scale_set",
            "The app tier's VM scale set.",
            "azurerm_linux_virtual_machine_scale_set.app.name",
        )
    }

    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();

        let _ = writeln!(
            m,
            "\n# Self-hosted PostgreSQL: no Flexible Server SKU in the catalog fits {} vCPU / {} GiB.",
            db.vcpu, db.memory_gib
        );
        vms(
            &mut m,
            "postgres",
            db.nodes(),
            vm,
            Some(db.storage_gb.max(32)),
        );
        Part::new(m).output(
            "postgres_private_ips",
            "PostgreSQL nodes.",
            "azurerm_network_interface.postgres[*].private_ip_address",
        )
    }

    fn managed_database(&self, l: &Layout<'_>, plan: &str) -> Result<Part, BundleError> {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();
        let _ = write!(
            m,
            r#"
resource "azurerm_private_dns_zone" "postgres" {{
  name                = "${{var.name}}.postgres.database.azure.com"
  resource_group_name = azurerm_resource_group.main.name
}}

resource "azurerm_private_dns_zone_virtual_network_link" "postgres" {{
  name                  = "postgres"
  private_dns_zone_name = azurerm_private_dns_zone.postgres.name
  resource_group_name   = azurerm_resource_group.main.name
  virtual_network_id    = azurerm_virtual_network.main.id
}}

# {shards} primary(ies) on {sku}{ha}.
resource "azurerm_postgresql_flexible_server" "primary" {{
  count                         = {shards}
  name                          = "${{var.name}}-pg-${{count.index}}"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  version                       = "15"
  sku_name                      = {sku_q}
  storage_mb                    = {storage_mb}
  administrator_login           = "app_admin"
  administrator_password        = var.db_password
  delegated_subnet_id           = azurerm_subnet.data.id
  private_dns_zone_id           = azurerm_private_dns_zone.postgres.id
  public_network_access_enabled = false
  backup_retention_days         = 7
  tags                          = local.labels
{ha_block}  depends_on = [azurerm_private_dns_zone_virtual_network_link.postgres]
}}

resource "azurerm_postgresql_flexible_server_configuration" "max_connections" {{
  count     = {shards}
  name      = "max_connections"
  server_id = azurerm_postgresql_flexible_server.primary[count.index].id
  value     = "{maxc}"
}}
"#,
            shards = db.shards,
            sku = hcl::comment(&spec.database.sku),
            sku_q = hcl::quoted(plan),
            ha = if db.high_availability {
                " with zone-redundant HA"
            } else {
                ""
            },
            storage_mb = storage_mb(db.storage_gb),
            ha_block = if db.high_availability {
                "  high_availability {\n    mode = \"ZoneRedundant\"\n  }\n"
            } else {
                ""
            },
            maxc = db.max_connections,
        );
        if db.read_replicas > 0 {
            let _ = write!(
                m,
                r#"
resource "azurerm_postgresql_flexible_server" "replica" {{
  count               = {n}
  name                = "${{var.name}}-pg-${{floor(count.index / {r})}}-replica-${{count.index % {r}}}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  create_mode         = "Replica"
  source_server_id    = azurerm_postgresql_flexible_server.primary[floor(count.index / {r})].id
  sku_name            = {sku_q}
  storage_mb          = {storage_mb}
  version             = "15"
  delegated_subnet_id = azurerm_subnet.data.id
  private_dns_zone_id = azurerm_private_dns_zone.postgres.id
  public_network_access_enabled = false
}}
"#,
                n = db.shards * db.read_replicas,
                r = db.read_replicas,
                sku_q = hcl::quoted(plan),
                storage_mb = storage_mb(db.storage_gb),
            );
        }
        Ok(Part::new(m).output(
            "postgres_hosts",
            "PostgreSQL primaries (one per shard).",
            "azurerm_postgresql_flexible_server.primary[*].fqdn",
        ))
    }

    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let c = &spec.phase.cache;

        let mut m = String::new();
        let _ = writeln!(
            m,
            "\n# Self-hosted Redis: no Azure Cache size in the catalog fits. Run it on small VMs ({} × {}).",
            hcl::comment(&spec.cache.sku),
            c.nodes()
        );
        vms(&mut m, "redis", c.nodes(), vm, None);
        Part::new(m).output(
            "redis_private_ips",
            "Redis nodes.",
            "azurerm_network_interface.redis[*].private_ip_address",
        )
    }

    fn managed_cache(&self, l: &Layout<'_>, plan: &PlanId) -> Result<Part, BundleError> {
        let spec = l.spec;
        let c = &spec.phase.cache;
        let capacity = match plan {
            PlanId::Capacity(n) => *n,
            other => return Err(l.wrong_plan("capacity", other)),
        };
        // Basic has no replica; Sentinel-like failover is the Standard tier; sharding needs
        // Premium (the catalog prices only Basic, so the bill doubles it for replication).
        let (tier, family, shard) = match c.mode {
            CacheMode::Standard => ("Basic", "C", String::new()),
            CacheMode::Sentinel => ("Standard", "C", String::new()),
            CacheMode::Cluster => (
                "Premium",
                "P",
                format!("  shard_count          = {}\n", c.shards),
            ),
        };
        Ok(Part::new(format!(
            r#"
# Azure Cache for Redis ({mode}; catalog SKU {sku}).
resource "azurerm_redis_cache" "cache" {{
  name                 = "${{var.name}}-redis"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  capacity             = {capacity}
  family               = "{family}"
  sku_name             = "{tier}"
  minimum_tls_version  = "1.2"
  non_ssl_port_enabled = false
{shard}  redis_configuration {{
    maxmemory_policy = "allkeys-lru"
  }}
  tags = local.labels
}}
"#,
            mode = c.mode.label(),
            sku = hcl::comment(&spec.cache.sku),
            // Premium (P) stops at P5, Basic and Standard (C) at C6.
            capacity = capacity.min(if family == "P" { 5 } else { 6 }),
        ))
        .output(
            "redis_host",
            "Redis endpoint.",
            "azurerm_redis_cache.cache.hostname",
        ))
    }

    fn managed_kubernetes(&self, l: &Layout<'_>) -> Result<Part, BundleError> {
        let (min, max) = l.spec.app_range();
        Ok(Part::new(format!(
            r#"
# AKS: the app runs as a Deployment with an HPA (see ../kubernetes).
resource "azurerm_kubernetes_cluster" "main" {{
  name                = var.name
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = var.name
  tags                = local.labels
  default_node_pool {{
    name                 = "app"
    vm_size              = {sku_q}
    vnet_subnet_id       = azurerm_subnet.app.id
    auto_scaling_enabled = true
    min_count            = {min}
    max_count            = {max}
  }}
  identity {{
    type = "SystemAssigned"
  }}
}}
"#,
            sku_q = hcl::quoted(l.app),
        ))
        .output(
            "aks_cluster",
            "The AKS cluster.",
            "azurerm_kubernetes_cluster.main.name",
        ))
    }
}

/// `count` Ubuntu VMs of `plan` for a self-hosted `role`, each with its network interface.
fn vms(m: &mut String, role: &str, count: u32, plan: &str, disk_gb: Option<u32>) {
    let disk = disk_gb.map_or_else(String::new, |gb| {
        format!("    disk_size_gb         = {gb}\n")
    });
    let _ = write!(
        m,
        r#"resource "azurerm_network_interface" "{role}" {{
  count               = {count}
  name                = "${{var.name}}-{role}-${{count.index}}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  ip_configuration {{
    name                          = "internal"
    subnet_id                     = azurerm_subnet.app.id
    private_ip_address_allocation = "Dynamic"
  }}
}}

resource "azurerm_linux_virtual_machine" "{role}" {{
  count                 = {count}
  name                  = "${{var.name}}-{role}-${{count.index}}"
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  size                  = {size}
  admin_username        = "azureuser"
  network_interface_ids = [azurerm_network_interface.{role}[count.index].id]
  admin_ssh_key {{
    username   = "azureuser"
    public_key = var.ssh_public_key
  }}
  source_image_reference {{
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts-gen2"
    version   = "latest"
  }}
  os_disk {{
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
{disk}  }}
}}
"#,
        size = hcl::quoted(plan),
    );
}

/// Flexible Server storage sizes are fixed steps (32 GiB … 32 TiB): the smallest that holds `gb`.
fn storage_mb(gb: u32) -> u32 {
    const STEPS_GIB: [u32; 11] = [
        32, 64, 128, 256, 512, 1_024, 2_048, 4_096, 8_192, 16_384, 32_768,
    ];
    let gib = STEPS_GIB
        .iter()
        .copied()
        .find(|s| *s >= gb)
        .unwrap_or(32_768);
    gib * 1_024
}
