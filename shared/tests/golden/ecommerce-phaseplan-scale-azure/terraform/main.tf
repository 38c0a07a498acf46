# phaseplan-scale: the Scale phase on Azure, sized from its bill of materials
# (estimated $5556 a month; see the bundle's README for every line and its source).

locals {
  labels = {
    app     = "phaseplan"
    phase   = "scale"
    managed = "terraform"
  }
}

provider "azurerm" {
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

# App tier: Standard_D8s_v5 × 3–10.
resource "azurerm_linux_virtual_machine_scale_set" "app" {
  name                = "${var.name}-app"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "Standard_D8s_v5"
  instances           = 3
  admin_username      = "azureuser"
  upgrade_mode        = "Rolling"
  health_probe_id     = null
  tags                = local.labels
  admin_ssh_key {
    username   = "azureuser"
    public_key = var.ssh_public_key
  }
  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts-gen2"
    version   = "latest"
  }
  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Premium_LRS"
  }
  rolling_upgrade_policy {
    max_batch_instance_percent              = 20
    max_unhealthy_instance_percent          = 20
    max_unhealthy_upgraded_instance_percent = 20
    pause_time_between_batches              = "PT30S"
  }
  network_interface {
    name    = "app"
    primary = true
    ip_configuration {
      name                                   = "internal"
      primary                                = true
      subnet_id                              = azurerm_subnet.app.id
      load_balancer_backend_address_pool_ids = []
    }
  }
}

# Scales out above the phase's CPU warning threshold (70 %), in well below it.
resource "azurerm_monitor_autoscale_setting" "app" {
  name                = "${var.name}-app"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  target_resource_id  = azurerm_linux_virtual_machine_scale_set.app.id
  profile {
    name = "cpu"
    capacity {
      default = 3
      minimum = 3
      maximum = 10
    }
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.app.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT5M"
        time_aggregation   = "Average"
        operator           = "GreaterThan"
        threshold          = 70
      }
      scale_action {
        direction = "Increase"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT5M"
      }
    }
    rule {
      metric_trigger {
        metric_name        = "Percentage CPU"
        metric_resource_id = azurerm_linux_virtual_machine_scale_set.app.id
        time_grain         = "PT1M"
        statistic          = "Average"
        time_window        = "PT10M"
        time_aggregation   = "Average"
        operator           = "LessThan"
        threshold          = 40
      }
      scale_action {
        direction = "Decrease"
        type      = "ChangeCount"
        value     = "1"
        cooldown  = "PT10M"
      }
    }
  }
}

resource "azurerm_private_dns_zone" "postgres" {
  name                = "${var.name}.postgres.database.azure.com"
  resource_group_name = azurerm_resource_group.main.name
}

resource "azurerm_private_dns_zone_virtual_network_link" "postgres" {
  name                  = "postgres"
  private_dns_zone_name = azurerm_private_dns_zone.postgres.name
  resource_group_name   = azurerm_resource_group.main.name
  virtual_network_id    = azurerm_virtual_network.main.id
}

# 2 primary(ies) on GP_Standard_D4s_v3 with zone-redundant HA.
resource "azurerm_postgresql_flexible_server" "primary" {
  count                         = 2
  name                          = "${var.name}-pg-${count.index}"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  version                       = "15"
  sku_name                      = "GP_Standard_D4s_v3"
  storage_mb                    = 262144
  administrator_login           = "app_admin"
  administrator_password        = var.db_password
  delegated_subnet_id           = azurerm_subnet.data.id
  private_dns_zone_id           = azurerm_private_dns_zone.postgres.id
  public_network_access_enabled = false
  backup_retention_days         = 7
  tags                          = local.labels
  high_availability {
    mode = "ZoneRedundant"
  }
  depends_on = [azurerm_private_dns_zone_virtual_network_link.postgres]
}

resource "azurerm_postgresql_flexible_server_configuration" "max_connections" {
  count     = 2
  name      = "max_connections"
  server_id = azurerm_postgresql_flexible_server.primary[count.index].id
  value     = "400"
}

resource "azurerm_postgresql_flexible_server" "replica" {
  count               = 4
  name                = "${var.name}-pg-${floor(count.index / 2)}-replica-${count.index % 2}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  create_mode         = "Replica"
  source_server_id    = azurerm_postgresql_flexible_server.primary[floor(count.index / 2)].id
  sku_name            = "GP_Standard_D4s_v3"
  storage_mb          = 262144
  version             = "15"
  delegated_subnet_id = azurerm_subnet.data.id
  private_dns_zone_id = azurerm_private_dns_zone.postgres.id
  public_network_access_enabled = false
}

# Azure Cache for Redis (Cluster; catalog SKU Cache Basic C4).
resource "azurerm_redis_cache" "cache" {
  name                 = "${var.name}-redis"
  location             = azurerm_resource_group.main.location
  resource_group_name  = azurerm_resource_group.main.name
  capacity             = 4
  family               = "P"
  sku_name             = "Premium"
  minimum_tls_version  = "1.2"
  non_ssl_port_enabled = false
  shard_count          = 3
  redis_configuration {
    maxmemory_policy = "allkeys-lru"
  }
  tags = local.labels
}

# AKS: the app runs as a Deployment with an HPA (see ../kubernetes).
resource "azurerm_kubernetes_cluster" "main" {
  name                = var.name
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  dns_prefix          = var.name
  tags                = local.labels
  default_node_pool {
    name                 = "app"
    vm_size              = "Standard_D8s_v5"
    vnet_subnet_id       = azurerm_subnet.app.id
    auto_scaling_enabled = true
    min_count            = 3
    max_count            = 10
  }
  identity {
    type = "SystemAssigned"
  }
}
