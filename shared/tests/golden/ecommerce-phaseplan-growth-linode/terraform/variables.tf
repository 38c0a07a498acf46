# Everything secret or account-specific is a variable; secrets have no default and are
# marked sensitive. Set them in terraform.tfvars (not committed) or TF_VAR_* variables.

variable "region" {
  description = "Where to deploy; the cost estimate used the catalog's region."
  type        = string
  default     = "us-east"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "phaseplan-growth"
}

variable "ssh_public_key" {
  description = "Public SSH key installed on the VMs (the key, not a path)."
  type        = string
}

variable "admin_cidr" {
  description = "Address range allowed to reach SSH, e.g. your office's /32."
  type        = string
}

variable "db_password" {
  description = "Password of the database's admin user."
  type        = string
  sensitive   = true
}

variable "redis_password" {
  description = "Password (auth token) of Redis."
  type        = string
  sensitive   = true
}

variable "linode_token" {
  description = "A Linode API token with read/write scopes."
  type        = string
  sensitive   = true
}

variable "app_instances" {
  description = "App instances to run (no VM autoscaling on Linode)."
  type        = number
  default     = 4
}
