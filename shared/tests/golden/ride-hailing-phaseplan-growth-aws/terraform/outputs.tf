output "app_autoscaling_group" {
  description = "The app tier's Auto Scaling group."
  value       = aws_autoscaling_group.app.name
}

output "load_balancer_dns" {
  description = "Point your domain here."
  value       = aws_lb.app.dns_name
}

output "postgres_endpoints" {
  description = "PostgreSQL primaries (one per shard)."
  value       = aws_db_instance.primary[*].address
}

output "redis_endpoint" {
  description = "Redis endpoint."
  value       = aws_elasticache_replication_group.cache.primary_endpoint_address
}
