output "app_instance_group" {
  description = "The app tier's managed instance group."
  value       = google_compute_region_instance_group_manager.app.instance_group
}

output "load_balancer_ip" {
  description = "Point your domain here."
  value       = google_compute_global_forwarding_rule.app.ip_address
}

output "postgres_connection_names" {
  description = "Cloud SQL primaries (one per shard)."
  value       = google_sql_database_instance.primary[*].connection_name
}

output "redis_hosts" {
  description = "Memorystore endpoints."
  value       = google_redis_instance.cache[*].host
}

output "gke_cluster" {
  description = "The GKE cluster."
  value       = google_container_cluster.main.name
}
