output "app_scale_set" {
  description = "The app tier's VM scale set."
  value       = azurerm_linux_virtual_machine_scale_set.app.name
}

output "postgres_hosts" {
  description = "PostgreSQL primaries (one per shard)."
  value       = azurerm_postgresql_flexible_server.primary[*].fqdn
}

output "redis_host" {
  description = "Redis endpoint."
  value       = azurerm_redis_cache.cache.hostname
}

output "aks_cluster" {
  description = "The AKS cluster."
  value       = azurerm_kubernetes_cluster.main.name
}
