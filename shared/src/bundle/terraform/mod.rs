//! Terraform for the chosen provider, with the official providers' resource types: `versions.tf`
//! pins Terraform and the provider, `variables.tf` declares everything secret or account-specific
//! (secrets `sensitive`, without defaults), `main.tf` holds the phase's resources sized from its
//! bill of materials, `outputs.tf` the addresses to wire up, and `terraform.tfvars.example` shows
//! what to fill in.
//!
//! Managed PostgreSQL and Redis are used where the cost model bought them; where the provider has
//! no managed service that fits, the bill self-hosts them on VMs and so does this.
//!
//! One assembler, six renderers: [`Layout::new`] reads the bill once (load balancer or not, each
//! service managed or self-hosted, Kubernetes managed or on VMs, every plan resolved from the
//! catalog's data) and [`assemble`] writes the parts in one order; each provider module only
//! implements [`Provider`], how a part looks in its resource types. No provider decides what a
//! phase has, and none imports another.

mod aws;
mod azure;
mod digitalocean;
mod gcp;
mod hetzner;
mod linode;

use std::fmt::Write as _;

use crate::cost::catalog::{PlanId, ProviderId};

use super::escape::hcl;
use super::spec::Bought;
use super::{BundleError, BundleSpec};

/// Where a provider's Terraform comes from: its `required_providers` entry and default region.
struct Pin {
    /// `source`, `version` constraint.
    source: &'static str,
    version: &'static str,
    /// The local name in `required_providers` (`aws`, `google`, `azurerm`…).
    local: &'static str,
    /// The default region / location.
    region: &'static str,
}

/// A Terraform variable the bundle declares.
struct Var {
    name: &'static str,
    description: &'static str,
    /// The Terraform type: `string` or `number`.
    ty: &'static str,
    sensitive: bool,
    /// A default (HCL literal) when the value is not account-specific.
    default: Option<String>,
    /// What `terraform.tfvars.example` suggests.
    example: &'static str,
}

impl Var {
    fn secret(name: &'static str, description: &'static str) -> Self {
        Var {
            name,
            description,
            ty: "string",
            sensitive: true,
            default: None,
            example: "\"change-me\"",
        }
    }
    /// The app tier's VM count where the provider has no VM autoscaling: it starts at what the
    /// bill bought for the peak, within the phase's instance range.
    fn app_instances(l: &Layout<'_>, description: &'static str) -> Self {
        let (min, max) = l.spec.app_range();
        Var {
            name: "app_instances",
            description,
            ty: "number",
            sensitive: false,
            default: Some(l.spec.app.quantity.clamp(min, max).to_string()),
            example: "",
        }
    }
    fn required(name: &'static str, description: &'static str, example: &'static str) -> Self {
        Var {
            name,
            description,
            ty: "string",
            sensitive: false,
            default: None,
            example,
        }
    }
}

/// One output: name, description, value expression.
type Output = (&'static str, &'static str, String);

/// What a provider writes for one part of the phase: HCL for `main.tf` and the outputs that
/// address it.
#[derive(Default)]
struct Part {
    main: String,
    outputs: Vec<Output>,
}

impl Part {
    fn new(main: String) -> Self {
        Part {
            main,
            outputs: Vec::new(),
        }
    }
    fn output(mut self, name: &'static str, description: &'static str, value: &str) -> Self {
        self.outputs.push((name, description, value.to_owned()));
        self
    }
}

/// How a service of the phase runs, as the bill bought it: `Managed` with the plan the
/// provider's managed service takes, or `SelfHosted` on VMs of a plan.
enum Service<'a, P> {
    Managed(P),
    SelfHosted { vm: &'a str },
}

/// The decisions every provider shares, made once from the bill of materials: which parts the
/// phase has and whether each is managed or self-hosted, with the plans resolved.
struct Layout<'a> {
    spec: &'a BundleSpec,
    /// The app tier's VM plan.
    app: &'a str,
    /// A managed load balancer in front of the app (else nginx alone).
    load_balancer: bool,
    database: Service<'a, &'a str>,
    cache: Service<'a, &'a PlanId>,
    /// On Kubernetes phases: the managed control plane, or VMs for a self-managed one.
    kubernetes: Option<Service<'a, ()>>,
}

impl<'a> Layout<'a> {
    fn new(spec: &'a BundleSpec) -> Result<Self, BundleError> {
        let vm = |b: &'a Bought, service: &'static str| -> Result<&'a str, BundleError> {
            match &b.plan {
                PlanId::Id(id) => Ok(id),
                other => Err(BundleError::PlanKind {
                    provider: spec.provider,
                    service,
                    expected: "id",
                    got: other.kind(),
                }),
            }
        };
        let database = if spec.database.self_hosted {
            Service::SelfHosted {
                vm: vm(&spec.database, "database VMs")?,
            }
        } else {
            Service::Managed(vm(&spec.database, "database")?)
        };
        let cache = if spec.cache.self_hosted {
            Service::SelfHosted {
                vm: vm(&spec.cache, "cache VMs")?,
            }
        } else {
            Service::Managed(&spec.cache.plan)
        };
        let kubernetes = if spec.phase.kubernetes {
            Some(match &spec.control_plane {
                Some(b) => Service::SelfHosted {
                    vm: vm(b, "control-plane VMs")?,
                },
                None => Service::Managed(()),
            })
        } else {
            None
        };
        Ok(Layout {
            spec,
            app: vm(&spec.app, "app tier")?,
            load_balancer: spec.managed_lb(),
            database,
            cache,
            kubernetes,
        })
    }

    /// The error for a managed service the provider does not offer.
    fn no_managed(&self, service: &'static str) -> BundleError {
        BundleError::NoManagedService {
            provider: self.spec.provider,
            service,
        }
    }

    /// The error for a part this provider's generator does not write (it never needs to: the
    /// bill buys the managed service there).
    fn not_written(&self, what: &'static str) -> BundleError {
        BundleError::NotWritten {
            provider: self.spec.provider,
            what,
        }
    }

    /// The error for a managed cache plan of the wrong kind.
    fn wrong_plan(&self, expected: &'static str, got: &PlanId) -> BundleError {
        BundleError::PlanKind {
            provider: self.spec.provider,
            service: "cache",
            expected,
            got: got.kind(),
        }
    }
}

/// One provider's resources, part by part. The assembler ([`files`]) decides which parts a
/// phase has and in which order they are written, the same way for all six; a provider only
/// says how each part looks in its own resource types.
trait Provider {
    fn pin(&self) -> Pin;
    /// Variables beyond the shared ones (API token, project, a fixed app instance count).
    fn variables(&self, l: &Layout<'_>) -> Vec<Var>;
    /// The provider block, network, keys and security rules the other parts sit in.
    fn foundation(&self, l: &Layout<'_>) -> String;
    fn app_tier(&self, l: &Layout<'_>) -> Part;
    /// Only called when the bill buys a managed load balancer.
    fn load_balancer(&self, l: &Layout<'_>) -> Part;
    /// Whether the load balancer is written before the app tier (the app refers to it).
    fn load_balancer_first(&self) -> bool {
        false
    }
    /// PostgreSQL as the provider's managed service, on the plan the bill bought.
    fn managed_database(&self, l: &Layout<'_>, _plan: &str) -> Result<Part, BundleError> {
        Err(l.no_managed("PostgreSQL"))
    }
    /// PostgreSQL on the provider's VMs of plan `vm`.
    fn self_hosted_database(&self, l: &Layout<'_>, vm: &str) -> Part;
    /// Redis as the provider's managed cache; `plan` is of the kind the provider takes.
    fn managed_cache(&self, l: &Layout<'_>, _plan: &PlanId) -> Result<Part, BundleError> {
        Err(l.no_managed("Redis"))
    }
    /// Redis on the provider's VMs of plan `vm`.
    fn self_hosted_cache(&self, l: &Layout<'_>, vm: &str) -> Part;
    /// Resources that name every VM above (a firewall attached by id).
    fn perimeter(&self, _l: &Layout<'_>) -> String {
        String::new()
    }
    /// Kubernetes with the provider's managed control plane (Kubernetes phases only).
    fn managed_kubernetes(&self, l: &Layout<'_>) -> Result<Part, BundleError> {
        Err(l.no_managed("Kubernetes"))
    }
    /// A self-managed control plane on VMs of plan `vm`, where none is managed.
    fn self_managed_kubernetes(&self, l: &Layout<'_>, _vm: &str) -> Result<Part, BundleError> {
        Err(l.not_written("a self-managed Kubernetes control plane"))
    }
}

fn provider(id: ProviderId) -> &'static dyn Provider {
    match id {
        ProviderId::Aws => &aws::Aws,
        ProviderId::Gcp => &gcp::Gcp,
        ProviderId::Azure => &azure::Azure,
        ProviderId::Linode => &linode::Linode,
        ProviderId::DigitalOcean => &digitalocean::DigitalOcean,
        ProviderId::Hetzner => &hetzner::Hetzner,
    }
}

/// `main.tf`'s body and the outputs, in the one order every provider follows: foundation, app
/// tier and load balancer, database, cache, perimeter, Kubernetes.
fn assemble(pr: &dyn Provider, l: &Layout<'_>) -> Result<(String, Vec<Output>), BundleError> {
    let app = pr.app_tier(l);
    let lb = if l.load_balancer {
        pr.load_balancer(l)
    } else {
        Part::default()
    };
    let database = match l.database {
        Service::Managed(plan) => pr.managed_database(l, plan)?,
        Service::SelfHosted { vm } => pr.self_hosted_database(l, vm),
    };
    let cache = match l.cache {
        Service::Managed(plan) => pr.managed_cache(l, plan)?,
        Service::SelfHosted { vm } => pr.self_hosted_cache(l, vm),
    };
    let kubernetes = match l.kubernetes {
        Some(Service::Managed(())) => pr.managed_kubernetes(l)?,
        Some(Service::SelfHosted { vm }) => pr.self_managed_kubernetes(l, vm)?,
        None => Part::default(),
    };
    let front = if pr.load_balancer_first() {
        [&lb, &app]
    } else {
        [&app, &lb]
    };
    let mut main = pr.foundation(l);
    for p in front {
        main.push_str(&p.main);
    }
    main.push_str(&database.main);
    main.push_str(&cache.main);
    main.push_str(&pr.perimeter(l));
    main.push_str(&kubernetes.main);
    // Outputs keep one order (app, load balancer, database, cache, Kubernetes) everywhere.
    let outputs = [app, lb, database, cache, kubernetes]
        .into_iter()
        .flat_map(|p| p.outputs)
        .collect();
    Ok((main, outputs))
}

/// The files under `terraform/`.
pub fn files(spec: &BundleSpec) -> Result<Vec<(String, String)>, BundleError> {
    let layout = Layout::new(spec)?;
    let pr = provider(spec.provider);
    let pin = pr.pin();
    let (body, outputs) = assemble(pr, &layout)?;
    let p = Parts {
        source: pin.source,
        version: pin.version,
        local: pin.local,
        region: pin.region,
        variables: pr.variables(&layout),
        main: body,
        outputs,
    };
    let versions = format!(
        "# Pinned so every apply uses the provider version this bundle was written for.\n\
         terraform {{\n  required_version = \">= 1.5.0\"\n\n  required_providers {{\n    {local} = {{\n      \
         source  = \"{source}\"\n      version = \"{version}\"\n    }}\n  }}\n}}\n",
        local = p.local,
        source = p.source,
        version = p.version,
    );
    let mut all_vars = vec![
        Var {
            name: "region",
            description: "Where to deploy; the cost estimate used the catalog's region.",
            ty: "string",
            sensitive: false,
            default: Some(hcl::quoted(p.region)),
            example: "",
        },
        Var {
            name: "name",
            description: "Prefix of every resource name.",
            ty: "string",
            sensitive: false,
            default: Some(hcl::quoted(&spec.name())),
            example: "",
        },
        Var::required(
            "ssh_public_key",
            "Public SSH key installed on the VMs (the key, not a path).",
            "\"ssh-ed25519 AAAA… you@example.com\"",
        ),
        Var::required(
            "admin_cidr",
            "Address range allowed to reach SSH, e.g. your office's /32.",
            "\"203.0.113.10/32\"",
        ),
        Var::secret("db_password", "Password of the database's admin user."),
        Var::secret("redis_password", "Password (auth token) of Redis."),
    ];
    all_vars.extend(p.variables);
    let mut variables = String::from(
        "# Everything secret or account-specific is a variable; secrets have no default and are\n\
         # marked sensitive. Set them in terraform.tfvars (not committed) or TF_VAR_* variables.\n",
    );
    let mut example =
        String::from("# Copy to terraform.tfvars and fill in. Never commit the filled-in file.\n");
    for v in &all_vars {
        let _ = write!(
            variables,
            "\nvariable {} {{\n  description = {}\n  type        = {}\n",
            hcl::quoted(v.name),
            hcl::quoted(v.description),
            v.ty
        );
        if v.sensitive {
            variables.push_str("  sensitive   = true\n");
        }
        if let Some(d) = &v.default {
            let _ = writeln!(variables, "  default     = {d}");
        }
        variables.push_str("}\n");
        if v.default.is_none() {
            let _ = writeln!(example, "{} = {}", v.name, v.example);
        }
    }
    let main = format!(
        "# {name}: the {phase} phase on {provider}, sized from its bill of materials\n\
         # (estimated ${cost:.0} a month; see the bundle's README for every line and its source).\n\n\
         locals {{\n  labels = {{\n    app     = \"phaseplan\"\n    phase   = {key}\n    managed = \"terraform\"\n  }}\n}}\n\n{body}",
        name = hcl::comment(&spec.name()),
        phase = hcl::comment(&spec.phase.name),
        provider = hcl::comment(&spec.provider_name),
        cost = spec.bill.total_usd,
        key = hcl::quoted(&spec.phase.key),
        body = p.main,
    );
    let mut outputs = String::new();
    for (name, description, value) in &p.outputs {
        let _ = write!(
            outputs,
            "output {} {{\n  description = {}\n  value       = {value}\n}}\n\n",
            hcl::quoted(name),
            hcl::quoted(description),
        );
    }
    Ok(vec![
        ("main.tf".to_owned(), main),
        (
            "outputs.tf".to_owned(),
            outputs.trim_end().to_owned() + "\n",
        ),
        ("terraform.tfvars.example".to_owned(), example),
        ("variables.tf".to_owned(), variables),
        ("versions.tf".to_owned(), versions),
    ])
}

/// Everything `files` writes out, gathered.
struct Parts {
    source: &'static str,
    version: &'static str,
    local: &'static str,
    region: &'static str,
    variables: Vec<Var>,
    main: String,
    outputs: Vec<Output>,
}

/// Cloud-init user data for an app VM: installs nginx-free Docker and starts the app image; the
/// image and secrets come from the instance's environment at deploy time.
fn app_user_data() -> &'static str {
    "#cloud-config\npackage_update: true\npackages:\n  - docker.io\nruncmd:\n  - systemctl enable --now docker\n"
}
