//! Terraform for the chosen provider, with the official providers' resource types: `versions.tf`
//! pins Terraform and the provider, `variables.tf` declares everything secret or account-specific
//! (secrets `sensitive`, without defaults), `main.tf` holds the phase's resources sized from its
//! bill of materials, `outputs.tf` the addresses to wire up, and `terraform.tfvars.example` shows
//! what to fill in.
//!
//! Managed PostgreSQL and Redis are used where the cost model bought them; where the provider has
//! no managed service that fits, the bill self-hosts them on VMs and so does this.

mod aws;
mod azure;
mod digitalocean;
mod gcp;
mod hetzner;
mod linode;

use std::fmt::Write as _;

use crate::cost::catalog::ProviderId;

use super::BundleSpec;
use super::escape::hcl;

/// A provider's part: its `required_providers` entry, provider block, extra variables, resources
/// and outputs.
struct ProviderParts {
    /// `source`, `version` constraint.
    source: &'static str,
    version: &'static str,
    /// The local name in `required_providers` (`aws`, `google`, `azurerm`…).
    local: &'static str,
    /// The default region / location.
    region: &'static str,
    /// Extra variables: (name, description, sensitive, default).
    variables: Vec<Var>,
    main: String,
    outputs: Vec<(&'static str, &'static str, String)>,
}

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

fn parts(spec: &BundleSpec) -> ProviderParts {
    match spec.provider {
        ProviderId::Aws => aws::parts(spec),
        ProviderId::Gcp => gcp::parts(spec),
        ProviderId::Azure => azure::parts(spec),
        ProviderId::Linode => linode::parts(spec),
        ProviderId::DigitalOcean => digitalocean::parts(spec),
        ProviderId::Hetzner => hetzner::parts(spec),
    }
}

/// The files under `terraform/`.
pub fn files(spec: &BundleSpec) -> Vec<(String, String)> {
    let p = parts(spec);
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
    vec![
        ("main.tf".to_owned(), main),
        (
            "outputs.tf".to_owned(),
            outputs.trim_end().to_owned() + "\n",
        ),
        ("terraform.tfvars.example".to_owned(), example),
        ("variables.tf".to_owned(), variables),
        ("versions.tf".to_owned(), versions),
    ]
}

/// Cloud-init user data for an app VM: installs nginx-free Docker and starts the app image; the
/// image and secrets come from the instance's environment at deploy time.
fn app_user_data() -> &'static str {
    "#cloud-config\npackage_update: true\npackages:\n  - docker.io\nruncmd:\n  - systemctl enable --now docker\n"
}
