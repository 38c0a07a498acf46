output "app_private_ips" {
  description = "App servers."
  value       = [for s in hcloud_server.app : one(s.network[*].ip)]
}

output "postgres_private_ips" {
  description = "PostgreSQL servers."
  value       = [for s in hcloud_server.postgres : one(s.network[*].ip)]
}

output "redis_private_ips" {
  description = "Redis servers."
  value       = [for s in hcloud_server.redis : one(s.network[*].ip)]
}
