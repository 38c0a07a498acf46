output "app_private_ips" {
  description = "App instances."
  value       = linode_instance.app[*].private_ip_address
}

output "load_balancer_ip" {
  description = "Point your domain here."
  value       = linode_nodebalancer.app.ipv4
}

output "postgres_hosts" {
  description = "PostgreSQL primaries (one per shard)."
  value       = linode_database_postgresql_v2.main[*].host_primary
}

output "redis_private_ips" {
  description = "Redis nodes."
  value       = linode_instance.redis[*].private_ip_address
}
