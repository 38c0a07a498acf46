//! AWS: a VPC with public and private subnets in two zones, the app tier as an Auto Scaling
//! group (target tracking at the phase's CPU warning threshold) behind an Application Load
//! Balancer, RDS PostgreSQL (Multi-AZ for HA, read replicas, one primary per shard),
//! ElastiCache Redis, security groups, and EKS when the phase runs on Kubernetes.

use std::fmt::Write as _;

use crate::cost::catalog::PlanId;
use crate::tiers::CacheMode;

use super::super::BundleError;
use super::super::escape::hcl;
use super::{Layout, Part, Pin, Provider, Var, app_user_data};

pub(super) struct Aws;

const FOUNDATION: &str = r#"provider "aws" {
  region = var.region
  default_tags {
    tags = local.labels
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = var.name }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone       = data.aws_availability_zones.available.names[count.index]
  map_public_ip_on_launch = true
  tags                    = { Name = "${var.name}-public-${count.index}" }
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index + 10)
  availability_zone = data.aws_availability_zones.available.names[count.index]
  tags              = { Name = "${var.name}-private-${count.index}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.main.id
  }
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_security_group" "web" {
  name        = "${var.name}-web"
  description = "HTTP(S) from anywhere, SSH from the admin range"
  vpc_id      = aws_vpc.main.id
  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "data" {
  name        = "${var.name}-data"
  description = "PostgreSQL and Redis from the app tier only"
  vpc_id      = aws_vpc.main.id
  ingress {
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
  ingress {
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [aws_security_group.web.id]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"]
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"]
  }
}

resource "aws_key_pair" "admin" {
  key_name   = var.name
  public_key = var.ssh_public_key
}

"#;

impl Provider for Aws {
    fn pin(&self) -> Pin {
        Pin {
            source: "hashicorp/aws",
            version: "~> 5.0",
            local: "aws",
            region: "us-east-1",
        }
    }

    fn variables(&self, _l: &Layout<'_>) -> Vec<Var> {
        Vec::new()
    }

    fn foundation(&self, _l: &Layout<'_>) -> String {
        FOUNDATION.to_owned()
    }

    fn app_tier(&self, l: &Layout<'_>) -> Part {
        let spec = l.spec;
        let p = &spec.phase;
        let (min, max) = spec.app_range();
        Part::new(format!(
            r#"# App tier: {app_sku} × {min}–{max} ({vcpu} vCPU, {mem} GiB each).
resource "aws_launch_template" "app" {{
  name_prefix            = "${{var.name}}-app-"
  image_id               = data.aws_ami.ubuntu.id
  instance_type          = {app_sku_q}
  key_name               = aws_key_pair.admin.key_name
  vpc_security_group_ids = [aws_security_group.web.id]
  user_data              = base64encode({user_data}
  )
}}

resource "aws_autoscaling_group" "app" {{
  name                = "${{var.name}}-app"
  min_size            = {min}
  max_size            = {max}
  desired_capacity    = {min}
  vpc_zone_identifier = aws_subnet.public[*].id
  health_check_type   = "{health}"
{tg_attach}  launch_template {{
    id      = aws_launch_template.app.id
    version = "$Latest"
  }}
}}

# Holds CPU at the phase's warning threshold ({cpu} %).
resource "aws_autoscaling_policy" "cpu" {{
  name                   = "${{var.name}}-cpu"
  autoscaling_group_name = aws_autoscaling_group.app.name
  policy_type            = "TargetTrackingScaling"
  target_tracking_configuration {{
    predefined_metric_specification {{
      predefined_metric_type = "ASGAverageCPUUtilization"
    }}
    target_value = {cpu}
  }}
}}
"#,
            app_sku = hcl::comment(&spec.app.sku),
            app_sku_q = hcl::quoted(l.app),
            vcpu = p.app.vcpu,
            mem = super::super::gib(p.app.memory_gib),
            user_data = hcl::heredoc(app_user_data(), 4, 0),
            health = if l.load_balancer { "ELB" } else { "EC2" },
            tg_attach = if l.load_balancer {
                "  target_group_arns   = [aws_lb_target_group.app.arn]\n"
            } else {
                ""
            },
            cpu = p.thresholds.cpu.warning(),
        ))
        .output(
            "app_autoscaling_group",
            "The app tier's Auto Scaling group.",
            "aws_autoscaling_group.app.name",
        )
    }

    fn load_balancer(&self, l: &Layout<'_>) -> Part {
        let p = &l.spec.phase;
        Part::new(format!(
            r#"
resource "aws_lb" "app" {{
  name               = "${{var.name}}"
  load_balancer_type = "application"
  security_groups    = [aws_security_group.web.id]
  subnets            = aws_subnet.public[*].id
  idle_timeout       = 3600
}}

resource "aws_lb_target_group" "app" {{
  name     = "${{var.name}}-app"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
  health_check {{
    path = "/healthz"
  }}
{sticky}}}

resource "aws_lb_listener" "http" {{
  load_balancer_arn = aws_lb.app.arn
  port              = 80
  protocol          = "HTTP"
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }}
}}
"#,
            sticky = if p.load_balancer.sticky_sessions {
                "  stickiness {\n    type            = \"lb_cookie\"\n    cookie_duration = 86400\n  }\n"
            } else {
                ""
            },
        ))
        .output(
            "load_balancer_dns",
            "Point your domain here.",
            "aws_lb.app.dns_name",
        )
    }

    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();

        let _ = write!(
            m,
            r#"
# Self-hosted PostgreSQL: no RDS class fits {dvcpu} vCPU / {dmem} GiB in the catalog.
resource "aws_instance" "postgres" {{
  count                  = {nodes}
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = {sku_q}
  subnet_id              = aws_subnet.private[count.index % 2].id
  key_name               = aws_key_pair.admin.key_name
  vpc_security_group_ids = [aws_security_group.data.id]
  root_block_device {{
    volume_size = {storage}
    volume_type = "gp3"
  }}
  tags = {{ Name = "${{var.name}}-postgres-${{count.index}}" }}
}}
"#,
            dvcpu = db.vcpu,
            dmem = db.memory_gib,
            nodes = db.nodes(),
            sku_q = hcl::quoted(vm),
            storage = db.storage_gb,
        );
        Part::new(m).output(
            "postgres_private_ips",
            "PostgreSQL nodes.",
            "aws_instance.postgres[*].private_ip",
        )
    }

    fn managed_database(&self, l: &Layout<'_>, plan: &str) -> Result<Part, BundleError> {
        let spec = l.spec;
        let db = &spec.phase.database;
        let mut m = String::new();

        let _ = write!(
            m,
            r#"
resource "aws_db_subnet_group" "main" {{
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
}}

resource "aws_db_parameter_group" "postgres" {{
  name   = "${{var.name}}-pg15"
  family = "postgres15"
  parameter {{
    name         = "max_connections"
    value        = "{maxc}"
    apply_method = "pending-reboot"
  }}
}}

# {shards} primary(ies){ha} on {sku}, {replicas} read replica(s) each.
resource "aws_db_instance" "primary" {{
  count                   = {shards}
  identifier              = "${{var.name}}-pg-${{count.index}}"
  engine                  = "postgres"
  engine_version          = "15"
  instance_class          = {sku_q}
  allocated_storage       = {storage}
  storage_type            = "gp3"
  storage_encrypted       = true
  multi_az                = {ha}
  db_name                 = "app"
  username                = "app_admin"
  password                = var.db_password
  db_subnet_group_name    = aws_db_subnet_group.main.name
  parameter_group_name    = aws_db_parameter_group.postgres.name
  vpc_security_group_ids  = [aws_security_group.data.id]
  backup_retention_period = 7
  skip_final_snapshot     = false
  final_snapshot_identifier = "${{var.name}}-pg-${{count.index}}-final"
}}
"#,
            maxc = db.max_connections,
            shards = db.shards,
            ha = if db.high_availability {
                "true"
            } else {
                "false"
            },
            sku = hcl::comment(&spec.database.sku),
            sku_q = hcl::quoted(plan),
            replicas = db.read_replicas,
            storage = db.storage_gb.max(20),
        );
        if db.read_replicas > 0 {
            let _ = write!(
                m,
                r#"
resource "aws_db_instance" "replica" {{
  count                  = {n}
  identifier             = "${{var.name}}-pg-${{floor(count.index / {r})}}-replica-${{count.index % {r}}}"
  replicate_source_db    = aws_db_instance.primary[floor(count.index / {r})].identifier
  instance_class         = {sku_q}
  storage_encrypted      = true
  vpc_security_group_ids = [aws_security_group.data.id]
  parameter_group_name   = aws_db_parameter_group.postgres.name
  skip_final_snapshot    = true
}}
"#,
                n = db.shards * db.read_replicas,
                r = db.read_replicas,
                sku_q = hcl::quoted(plan),
            );
        }
        Ok(Part::new(m).output(
            "postgres_endpoints",
            "PostgreSQL primaries (one per shard).",
            "aws_db_instance.primary[*].address",
        ))
    }

    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part {
        let spec = l.spec;
        let p = &spec.phase;
        let c = &p.cache;

        Part::new(format!(
            r#"
# Self-hosted Redis ({mode}): no ElastiCache node fits in the catalog.
resource "aws_instance" "redis" {{
  count                  = {nodes}
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = {sku_q}
  subnet_id              = aws_subnet.private[count.index % 2].id
  key_name               = aws_key_pair.admin.key_name
  vpc_security_group_ids = [aws_security_group.data.id]
  tags                   = {{ Name = "${{var.name}}-redis-${{count.index}}" }}
}}
"#,
            mode = c.mode.label(),
            nodes = c.nodes(),
            sku_q = hcl::quoted(vm),
        ))
        .output(
            "redis_private_ips",
            "Redis nodes.",
            "aws_instance.redis[*].private_ip",
        )
    }

    fn managed_cache(&self, l: &Layout<'_>, plan: &PlanId) -> Result<Part, BundleError> {
        let spec = l.spec;
        let p = &spec.phase;
        let c = &p.cache;
        let node_type = match plan {
            PlanId::Id(node_type) => node_type,
            other => return Err(l.wrong_plan("id", other)),
        };
        let topology = match c.mode {
            CacheMode::Standard => "  num_cache_clusters         = 1\n  automatic_failover_enabled = false\n".to_owned(),
            CacheMode::Sentinel => "  num_cache_clusters         = 3\n  automatic_failover_enabled = true\n  multi_az_enabled           = true\n".to_owned(),
            CacheMode::Cluster => format!(
                "  num_node_groups            = {}\n  replicas_per_node_group    = 1\n  automatic_failover_enabled = true\n  parameter_group_name       = \"default.redis7.cluster.on\"\n",
                c.shards
            ),
        };
        let endpoint = if c.mode == CacheMode::Cluster {
            "aws_elasticache_replication_group.cache.configuration_endpoint_address"
        } else {
            "aws_elasticache_replication_group.cache.primary_endpoint_address"
        };
        Ok(Part::new(format!(
            r#"
resource "aws_elasticache_subnet_group" "main" {{
  name       = var.name
  subnet_ids = aws_subnet.private[*].id
}}

# Redis ({mode}) on {sku}.
resource "aws_elasticache_replication_group" "cache" {{
  replication_group_id       = "${{var.name}}-redis"
  description                = {description}
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = {sku_q}
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [aws_security_group.data.id]
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  auth_token                 = var.redis_password
{topology}}}
"#,
            mode = c.mode.label(),
            sku = hcl::comment(&spec.cache.sku),
            sku_q = hcl::quoted(node_type),
            description = hcl::quoted(&format!("Phaseplan {} cache", p.key)),
        ))
        .output("redis_endpoint", "Redis endpoint.", endpoint))
    }

    fn managed_kubernetes(&self, l: &Layout<'_>) -> Result<Part, BundleError> {
        let spec = l.spec;
        let (min, max) = spec.app_range();
        Ok(Part::new(format!(
            r#"
# EKS: the app runs as a Deployment with an HPA (see ../kubernetes); nodes are {app_sku}.
resource "aws_iam_role" "eks_cluster" {{
  name = "${{var.name}}-eks-cluster"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "eks.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "eks_cluster" {{
  role       = aws_iam_role.eks_cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}}

resource "aws_iam_role" "eks_nodes" {{
  name = "${{var.name}}-eks-nodes"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "eks_nodes" {{
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ])
  role       = aws_iam_role.eks_nodes.name
  policy_arn = each.value
}}

resource "aws_eks_cluster" "main" {{
  name     = var.name
  role_arn = aws_iam_role.eks_cluster.arn
  vpc_config {{
    subnet_ids = concat(aws_subnet.public[*].id, aws_subnet.private[*].id)
  }}
  depends_on = [aws_iam_role_policy_attachment.eks_cluster]
}}

resource "aws_eks_node_group" "app" {{
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "app"
  node_role_arn   = aws_iam_role.eks_nodes.arn
  subnet_ids      = aws_subnet.public[*].id
  instance_types  = [{app_sku_q}]
  scaling_config {{
    min_size     = {min}
    max_size     = {max}
    desired_size = {min}
  }}
  depends_on = [aws_iam_role_policy_attachment.eks_nodes]
}}
"#,
            app_sku = hcl::comment(&spec.app.sku),
            app_sku_q = hcl::quoted(l.app),
        ))
        .output(
            "eks_cluster",
            "The EKS cluster: aws eks update-kubeconfig --name <this>.",
            "aws_eks_cluster.main.name",
        ))
    }
}
