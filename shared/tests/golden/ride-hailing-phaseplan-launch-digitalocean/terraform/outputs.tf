output "app_private_ips" {
  description = "App Droplets."
  value       = digitalocean_droplet.app[*].ipv4_address_private
}

output "postgres_private_ips" {
  description = "PostgreSQL nodes."
  value       = digitalocean_droplet.postgres[*].ipv4_address_private
}

output "redis_hosts" {
  description = "Cache endpoints."
  value       = digitalocean_database_cluster.cache[*].private_host
}
