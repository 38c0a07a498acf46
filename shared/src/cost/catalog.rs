//! The pricing catalog: what each provider charges for compute, managed PostgreSQL and Redis, load
//! balancing, egress, block storage and a Kubernetes control plane, plus its commitment and spot
//! discounts.
//!
//! The built-in catalog is `data/catalog.json`, compiled into the crate so the browser and the
//! server price with the same figures. **Every price carries its source key and, where the source
//! showed one, its as-of date**; sources are listed once with a title and whether they are
//! third-party tables. What the reference material has no source for is left out (e.g. managed
//! Redis on Linode and Hetzner, managed PostgreSQL on Hetzner): the cost model then prices that
//! component on the provider's own VMs.
//!
//! A user catalog in the same format can extend or replace it ([`Catalog::merged_with`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::money::{Currency, HOURS_PER_MONTH, Money};
use crate::error::{Reason, ValidationError, check_format_version, check_range};

/// The catalog format this crate reads; a file with another number is refused.
pub const FORMAT_VERSION: u32 = 2;

/// The built-in catalog's JSON text.
pub const BUILT_IN_JSON: &str = include_str!("../../data/catalog.json");

/// Providers Phaseplan knows how to price and generate configuration for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ProviderId {
    Aws,
    Gcp,
    Azure,
    Linode,
    #[serde(rename = "digitalocean")]
    DigitalOcean,
    Hetzner,
}

impl ProviderId {
    pub const ALL: [ProviderId; 6] = [
        ProviderId::Aws,
        ProviderId::Gcp,
        ProviderId::Azure,
        ProviderId::Linode,
        ProviderId::DigitalOcean,
        ProviderId::Hetzner,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProviderId::Aws => "aws",
            ProviderId::Gcp => "gcp",
            ProviderId::Azure => "azure",
            ProviderId::Linode => "linode",
            ProviderId::DigitalOcean => "digitalocean",
            ProviderId::Hetzner => "hetzner",
        }
    }

    /// Parses a provider key, naming `field` and listing the known keys when it is unknown.
    pub fn parse(field: &str, key: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|p| p.key() == key)
            .ok_or_else(|| ValidationError::new(field, Reason::Unknown(key.to_owned())))
    }
}

/// What a price is charged per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PriceUnit {
    Hour,
    Month,
    /// Per GB stored per month.
    GbMonth,
    /// Per GB transferred.
    Gb,
}

impl PriceUnit {
    /// What a price is per, in words: `"hour"`, `"GB-month"`.
    pub fn label(self) -> &'static str {
        match self {
            PriceUnit::Hour => "hour",
            PriceUnit::Month => "month",
            PriceUnit::GbMonth => "GB-month",
            PriceUnit::Gb => "GB",
        }
    }
}

/// One price, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub amount: f64,
    pub currency: Currency,
    pub unit: PriceUnit,
    /// Key into [`Catalog::sources`].
    pub source: String,
    /// ISO date the source showed, if any ("n/d" sources have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// From a hand-written third-party table: less trustworthy, flagged in the UI.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub third_party: bool,
}

impl Price {
    /// The price of running one unit for a month, for hourly and monthly prices; `None` for
    /// per-GB prices, which need a quantity.
    pub fn monthly(&self) -> Option<Money> {
        let amount = match self.unit {
            PriceUnit::Hour => self.amount * HOURS_PER_MONTH,
            PriceUnit::Month => self.amount,
            PriceUnit::GbMonth | PriceUnit::Gb => return None,
        };
        Some(Money {
            amount,
            currency: self.currency,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComputeSku {
    /// The name shown with prices (`m5.large`, `CX22`).
    pub sku: String,
    /// What the provider's API and Terraform call this size (`m5.large`, `cx22`): data, so a
    /// renamed display name cannot change what is deployed.
    pub plan: String,
    pub vcpu: u32,
    pub memory_gib: f64,
    pub price: Price,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DatabaseSku {
    /// The name shown with prices (`db.t3.small`, `Dedicated 8 GB`).
    pub sku: String,
    /// What the provider's API and Terraform call this size (`db.t3.small`, `g6-dedicated-4`).
    pub plan: String,
    pub vcpu: u32,
    pub memory_gib: f64,
    pub price: Price,
    /// The highly available variant (standby / multi-node), when the source priced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha_price: Option<Price>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CacheSku {
    /// The name shown with prices (`cache.t3.micro`, `Memorystore Basic 5 GB`).
    pub sku: String,
    /// How the provider's API and Terraform size it.
    pub plan: PlanId,
    pub memory_gib: f64,
    pub price: Price,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha_price: Option<Price>,
}

/// How a size is named to its provider's API. VMs and databases always take an identifier
/// ([`ComputeSku::plan`]); managed caches differ in kind, not only in value: ElastiCache and
/// DigitalOcean take a node type, Memorystore a size in GB, Azure Cache for Redis a capacity step
/// within a family (the family follows the cache mode). Data in the catalog, checked against the
/// provider at load ([`Catalog::validate`]), never parsed from the display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PlanId {
    /// A node type or size slug (`cache.t3.micro`, `db-s-1vcpu-1gb`).
    Id(String),
    /// Memorystore's `memory_size_gb`: whole GB, equal to the SKU's `memory_gib`.
    MemoryGb(u32),
    /// Azure Cache for Redis `capacity` (C1 = 1, C4 = 4), 0–6.
    Capacity(u32),
}

impl PlanId {
    /// The variant's wire name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            PlanId::Id(_) => "id",
            PlanId::MemoryGb(_) => "memory_gb",
            PlanId::Capacity(_) => "capacity",
        }
    }
}

/// One egress tier: `price` applies to the GB of a month up to `up_to_gb` (cumulative); the last
/// tier has no bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EgressTier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to_gb: Option<f64>,
    pub price: Price,
}

/// A fraction (a discount of 0.37 = 37 % off, or a multiplier) with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SourcedFactor {
    pub fraction: f64,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Discounts off on-demand compute. Absent where the provider offers none or none was found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Discounts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_1y: Option<SourcedFactor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_3y: Option<SourcedFactor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot: Option<SourcedFactor>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProviderCatalog {
    pub id: ProviderId,
    pub name: String,
    pub region: String,
    pub currency: Currency,
    pub compute: Vec<ComputeSku>,
    #[serde(default)]
    pub postgres: Vec<DatabaseSku>,
    /// Multiplier for a highly available managed database where the source gives one instead
    /// of HA prices (AWS Multi-AZ: ×2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_ha_multiplier: Option<SourcedFactor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postgres_storage: Option<Price>,
    #[serde(default)]
    pub redis: Vec<CacheSku>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<Price>,
    #[serde(default)]
    pub egress: Vec<EgressTier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_storage: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_control_plane: Option<Price>,
    #[serde(default)]
    pub discounts: Discounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub third_party: bool,
}

/// A stated conversion to USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    pub currency: Currency,
    pub usd_per_unit: f64,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A whole catalog. Construct it with [`Catalog::built_in`] or [`Catalog::from_json`], which
/// validate; the fields are public for reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub format_version: u32,
    /// The catalog's own version (a date), shown with every figure.
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub exchange_rates: Vec<ExchangeRate>,
    pub sources: Vec<Source>,
    pub providers: Vec<ProviderCatalog>,
}

/// Why a catalog could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog is not valid JSON: {0}")]
    Json(String),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl Catalog {
    /// The catalog shipped with this crate.
    pub fn built_in() -> Result<Catalog, CatalogError> {
        Catalog::from_json(BUILT_IN_JSON)
    }

    /// Parses and validates a catalog in the published format.
    pub fn from_json(json: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog =
            serde_json::from_str(json).map_err(|e| CatalogError::Json(e.to_string()))?;
        catalog.validate()?;
        Ok(catalog)
    }

    pub fn provider(&self, id: ProviderId) -> Option<&ProviderCatalog> {
        self.providers.iter().find(|p| p.id == id)
    }

    pub fn source(&self, key: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.key == key)
    }

    /// Converts to USD at the catalog's stated rate.
    pub fn to_usd(&self, money: Money) -> Money {
        match money.currency {
            Currency::Usd => money,
            other @ Currency::Eur => {
                let rate = self
                    .exchange_rates
                    .iter()
                    .find(|r| r.currency == other)
                    .map_or(f64::NAN, |r| r.usd_per_unit);
                // `validate` guarantees a rate for every currency used, so NaN is unreachable
                // for a validated catalog.
                Money::usd(money.amount * rate)
            }
        }
    }

    /// This catalog with `user`'s providers replacing the same providers here and new ones added;
    /// sources and exchange rates are merged the same way, by key. The result is validated.
    pub fn merged_with(&self, user: &Catalog) -> Result<Catalog, CatalogError> {
        let mut merged = self.clone();
        for p in &user.providers {
            merged.providers.retain(|q| q.id != p.id);
            merged.providers.push(p.clone());
        }
        merged.providers.sort_by_key(|p| p.id);
        for s in &user.sources {
            merged.sources.retain(|q| q.key != s.key);
            merged.sources.push(s.clone());
        }
        for r in &user.exchange_rates {
            merged.exchange_rates.retain(|q| q.currency != r.currency);
            merged.exchange_rates.push(r.clone());
        }
        merged.version = format!("{}+{}", self.version, user.version);
        merged.validate()?;
        Ok(merged)
    }

    /// Checks what serde cannot: known format version, every price finite and non-negative, every
    /// source key listed, a rate for every currency, dates as `YYYY-MM-DD`, each provider once,
    /// egress tiers increasing. Errors name the field path (`providers[2].compute[0].price.amount`).
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_format_version(self.format_version, FORMAT_VERSION)?;
        let keys: BTreeSet<&str> = self.sources.iter().map(|s| s.key.as_str()).collect();
        let mut currencies: BTreeSet<Currency> = BTreeSet::from([Currency::Usd]);
        for (i, r) in self.exchange_rates.iter().enumerate() {
            let f = format!("exchange_rates[{i}]");
            check_range(&format!("{f}.usd_per_unit"), r.usd_per_unit, 1e-6, 1e6)?;
            check_source(&keys, &format!("{f}.source"), &r.source)?;
            check_date(&format!("{f}.as_of"), r.as_of.as_deref())?;
            currencies.insert(r.currency);
        }
        let mut seen = BTreeSet::new();
        for (i, p) in self.providers.iter().enumerate() {
            let f = format!("providers[{i}]");
            if !seen.insert(p.id) {
                return Err(ValidationError::new(
                    format!("{f}.id"),
                    Reason::Duplicate(p.id.key().to_owned()),
                ));
            }
            if p.compute.is_empty() {
                return Err(ValidationError::new(format!("{f}.compute"), Reason::Empty));
            }
            let ctx = PriceCheck {
                keys: &keys,
                currencies: &currencies,
            };
            check_unique(&f, "compute", p.compute.iter().map(|c| c.sku.as_str()))?;
            check_unique(&f, "postgres", p.postgres.iter().map(|c| c.sku.as_str()))?;
            check_unique(&f, "redis", p.redis.iter().map(|c| c.sku.as_str()))?;
            for (j, c) in p.compute.iter().enumerate() {
                let g = format!("{f}.compute[{j}]");
                check_plan_id(&format!("{g}.plan"), &c.plan)?;
                check_range(&format!("{g}.vcpu"), f64::from(c.vcpu), 1.0, 1024.0)?;
                check_range(&format!("{g}.memory_gib"), c.memory_gib, 0.1, 65_536.0)?;
                ctx.check(&format!("{g}.price"), &c.price)?;
                check_unit(&format!("{g}.price"), &c.price, TIME)?;
            }
            for (j, d) in p.postgres.iter().enumerate() {
                let g = format!("{f}.postgres[{j}]");
                check_plan_id(&format!("{g}.plan"), &d.plan)?;
                ctx.check_managed(&g, d.memory_gib, &d.price, d.ha_price.as_ref())?;
                check_unit(&format!("{g}.price"), &d.price, TIME)?;
            }
            for (j, c) in p.redis.iter().enumerate() {
                let g = format!("{f}.redis[{j}]");
                check_cache_plan(p.id, &format!("{g}.plan"), c)?;
                ctx.check_managed(&g, c.memory_gib, &c.price, c.ha_price.as_ref())?;
                check_unit(&format!("{g}.price"), &c.price, TIME)?;
            }
            let single = [
                ("postgres_storage", &p.postgres_storage, STORED),
                ("load_balancer", &p.load_balancer, TIME),
                ("block_storage", &p.block_storage, STORED),
                (
                    "kubernetes_control_plane",
                    &p.kubernetes_control_plane,
                    TIME,
                ),
            ];
            for (name, price, units) in single {
                if let Some(price) = price {
                    ctx.check(&format!("{f}.{name}"), price)?;
                    check_unit(&format!("{f}.{name}"), price, units)?;
                }
            }
            let mut previous = 0.0;
            for (j, t) in p.egress.iter().enumerate() {
                let g = format!("{f}.egress[{j}]");
                ctx.check(&format!("{g}.price"), &t.price)?;
                check_unit(&format!("{g}.price"), &t.price, &[PriceUnit::Gb])?;
                match t.up_to_gb {
                    Some(limit) => {
                        check_range(&format!("{g}.up_to_gb"), limit, 0.0, 1e12)?;
                        if limit <= previous {
                            return Err(ValidationError::new(
                                format!("{g}.up_to_gb"),
                                Reason::NotIncreasing { previous },
                            ));
                        }
                        previous = limit;
                    }
                    None if j + 1 != p.egress.len() => {
                        return Err(ValidationError::new(
                            format!("{g}.up_to_gb"),
                            Reason::UnboundedTierNotLast,
                        ));
                    }
                    None => {}
                }
            }
            let discounts = [
                ("commit_1y", &p.discounts.commit_1y),
                ("commit_3y", &p.discounts.commit_3y),
                ("spot", &p.discounts.spot),
            ];
            for (name, d) in discounts {
                if let Some(d) = d {
                    let g = format!("{f}.discounts.{name}");
                    check_range(&format!("{g}.fraction"), d.fraction, 0.0, 0.95)?;
                    check_source(&keys, &format!("{g}.source"), &d.source)?;
                    check_date(&format!("{g}.as_of"), d.as_of.as_deref())?;
                }
            }
            if let Some(m) = &p.postgres_ha_multiplier {
                let g = format!("{f}.postgres_ha_multiplier");
                check_range(&format!("{g}.fraction"), m.fraction, 1.0, 10.0)?;
                check_source(&keys, &format!("{g}.source"), &m.source)?;
            }
        }
        Ok(())
    }
}

struct PriceCheck<'a> {
    keys: &'a BTreeSet<&'a str>,
    currencies: &'a BTreeSet<Currency>,
}

impl PriceCheck<'_> {
    /// A managed service SKU: its memory, its price and its optional HA price.
    fn check_managed(
        &self,
        field: &str,
        memory_gib: f64,
        price: &Price,
        ha_price: Option<&Price>,
    ) -> Result<(), ValidationError> {
        check_range(&format!("{field}.memory_gib"), memory_gib, 0.1, 65_536.0)?;
        self.check(&format!("{field}.price"), price)?;
        if let Some(ha) = ha_price {
            self.check(&format!("{field}.ha_price"), ha)?;
        }
        Ok(())
    }

    fn check(&self, field: &str, price: &Price) -> Result<(), ValidationError> {
        check_range(&format!("{field}.amount"), price.amount, 0.0, 1e7)?;
        check_source(self.keys, &format!("{field}.source"), &price.source)?;
        check_date(&format!("{field}.as_of"), price.as_of.as_deref())?;
        if !self.currencies.contains(&price.currency) {
            return Err(ValidationError::new(
                format!("{field}.currency"),
                Reason::NoExchangeRate {
                    currency: price.currency.code().to_owned(),
                },
            ));
        }
        Ok(())
    }
}

/// SKU names are how a bill line names what it bought and how a bundle finds the SKU's plan
/// again: two SKUs of one name in one list would make that ambiguous.
fn check_unique<'a>(
    provider: &str,
    list: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), ValidationError> {
    let mut seen = BTreeSet::new();
    for (j, name) in names.enumerate() {
        if !seen.insert(name) {
            return Err(ValidationError::new(
                format!("{provider}.{list}[{j}].sku"),
                Reason::Duplicate(name.to_owned()),
            ));
        }
    }
    Ok(())
}

/// A plan identifier goes into Terraform and API calls verbatim: a short token, nothing a
/// generated file would have to escape.
fn check_plan_id(field: &str, plan: &str) -> Result<(), ValidationError> {
    let ok = (1..=64).contains(&plan.len())
        && plan
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(field, Reason::BadPlanId))
    }
}

/// Each provider sizes its managed cache one way ([`PlanId`]); a plan of another kind, or a
/// size that disagrees with the SKU's memory, is refused here rather than deployed wrong.
fn check_cache_plan(
    provider: ProviderId,
    field: &str,
    sku: &CacheSku,
) -> Result<(), ValidationError> {
    let expected = match provider {
        ProviderId::Aws | ProviderId::DigitalOcean => "id",
        ProviderId::Gcp => "memory_gb",
        ProviderId::Azure => "capacity",
        // No managed cache is modelled for these: the bill self-hosts Redis on VMs.
        ProviderId::Linode | ProviderId::Hetzner => {
            return Err(ValidationError::new(
                field,
                Reason::NotOneOf {
                    got: sku.plan.kind().to_owned(),
                    known: Vec::new(),
                },
            ));
        }
    };
    if sku.plan.kind() != expected {
        return Err(ValidationError::new(
            field,
            Reason::NotOneOf {
                got: sku.plan.kind().to_owned(),
                known: vec![expected.to_owned()],
            },
        ));
    }
    match &sku.plan {
        PlanId::Id(id) => check_plan_id(&format!("{field}.id"), id),
        PlanId::MemoryGb(gb) => {
            if (f64::from(*gb) - sku.memory_gib).abs() > 1e-9 {
                let m = sku.memory_gib;
                Err(ValidationError::new(
                    format!("{field}.memory_gb"),
                    Reason::OutOfRange { min: m, max: m },
                ))
            } else {
                Ok(())
            }
        }
        PlanId::Capacity(n) => {
            check_range(&format!("{field}.capacity"), f64::from(*n), 0.0, 6.0)?;
            Ok(())
        }
    }
}

/// Units a running resource may be priced in.
const TIME: &[PriceUnit] = &[PriceUnit::Hour, PriceUnit::Month];
/// Units storage is priced in.
const STORED: &[PriceUnit] = &[PriceUnit::GbMonth];

/// The cost model multiplies each price by a quantity in a known unit (hours, GB-months, GB), so
/// a price in another unit would silently be wrong: refuse it.
fn check_unit(field: &str, price: &Price, allowed: &[PriceUnit]) -> Result<(), ValidationError> {
    if allowed.contains(&price.unit) {
        Ok(())
    } else {
        let names: Vec<&str> = allowed
            .iter()
            .map(|u| match u {
                PriceUnit::Hour => "hour",
                PriceUnit::Month => "month",
                PriceUnit::GbMonth => "gb_month",
                PriceUnit::Gb => "gb",
            })
            .collect();
        Err(ValidationError::new(
            format!("{field}.unit"),
            Reason::WrongUnit {
                expected: names.iter().map(|n| (*n).to_owned()).collect(),
            },
        ))
    }
}

fn check_source(keys: &BTreeSet<&str>, field: &str, key: &str) -> Result<(), ValidationError> {
    if keys.contains(key) {
        Ok(())
    } else {
        Err(ValidationError::new(field, Reason::Unknown(key.to_owned())))
    }
}

/// `YYYY-MM-DD` with a plausible month and day (calendar exactness is not needed for display).
fn check_date(field: &str, date: Option<&str>) -> Result<(), ValidationError> {
    let Some(d) = date else { return Ok(()) };
    let parts: Vec<&str> = d.split('-').collect();
    let ok = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        && matches!(parts[1].parse::<u8>(), Ok(1..=12))
        && matches!(parts[2].parse::<u8>(), Ok(1..=31));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Reason::BadDate { got: d.to_owned() },
        ))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn built_in() -> Catalog {
        Catalog::built_in().unwrap()
    }

    #[test]
    fn built_in_catalog_is_valid_and_covers_six_providers() {
        let c = built_in();
        let ids: Vec<ProviderId> = c.providers.iter().map(|p| p.id).collect();
        assert_eq!(ids, ProviderId::ALL);
        assert!(c.providers.iter().all(|p| !p.compute.is_empty()));
    }

    #[test]
    fn every_price_names_a_listed_source() {
        let c = built_in();
        let aws = c.provider(ProviderId::Aws).unwrap();
        let src = c.source(&aws.compute[0].price.source).unwrap();
        assert!(src.title.contains("infracost"));
        // Third-party figures are flagged.
        assert!(aws.compute.iter().any(|s| s.price.third_party));
    }

    #[test]
    fn reference_figures_come_through() {
        let c = built_in();
        let eks = c
            .provider(ProviderId::Aws)
            .unwrap()
            .kubernetes_control_plane
            .as_ref()
            .unwrap();
        // $0.10 an hour is $73 a month.
        assert!((eks.monthly().unwrap().amount - 73.0).abs() < 1e-9);
        let hz = c.provider(ProviderId::Hetzner).unwrap();
        assert_eq!(hz.currency, Currency::Eur);
        assert_eq!(hz.compute[0].sku, "CX22");
        assert_eq!(hz.compute[0].price.amount, 3.79);
        assert_eq!(hz.compute[0].price.as_of.as_deref(), Some("2025-08-19"));
        // Hetzner has no managed PostgreSQL or Redis in the reference: left out, not invented.
        assert!(hz.postgres.is_empty() && hz.redis.is_empty());
        let eur = c.to_usd(hz.compute[0].price.monthly().unwrap());
        assert_eq!(eur.currency, Currency::Usd);
        assert!((eur.amount - 3.79 * 1.08).abs() < 1e-9);
    }

    /// Provider indices in the built-in catalog, by id (the tests edit it as JSON).
    fn index(v: &serde_json::Value, id: &str) -> usize {
        v["providers"]
            .as_array()
            .unwrap()
            .iter()
            .position(|p| p["id"] == id)
            .unwrap()
    }

    fn refused(v: &serde_json::Value) -> ValidationError {
        match Catalog::from_json(&v.to_string()) {
            Err(CatalogError::Invalid(e)) => e,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn plans_are_data_checked_against_their_provider() {
        let base: serde_json::Value = serde_json::from_str(BUILT_IN_JSON).unwrap();
        let (aws, gcp, azure) = (
            index(&base, "aws"),
            index(&base, "gcp"),
            index(&base, "azure"),
        );

        let mut v = base.clone();
        v["providers"][aws]["compute"][1]["plan"] = serde_json::json!("m5 large\"");
        let e = refused(&v);
        assert_eq!(e.field, format!("providers[{aws}].compute[1].plan"));
        assert_eq!(e.reason, Reason::BadPlanId);

        let mut v = base.clone();
        v["providers"][aws]["postgres"][0]["plan"] = serde_json::json!("");
        assert_eq!(refused(&v).reason, Reason::BadPlanId);

        // A plan is required: no silent fallback to the display name.
        let mut v = base.clone();
        v["providers"][aws]["compute"][0]
            .as_object_mut()
            .unwrap()
            .remove("plan");
        let err = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("plan"), "{err}");

        // Memorystore takes a size in GB, not a node type; and the size must be the SKU's.
        let mut v = base.clone();
        v["providers"][gcp]["redis"][0]["plan"] = serde_json::json!({"id": "basic-1"});
        let e = refused(&v);
        assert_eq!(e.field, format!("providers[{gcp}].redis[0].plan"));
        assert!(e.to_string().contains("memory_gb"), "{e}");
        let mut v = base.clone();
        v["providers"][gcp]["redis"][1]["plan"] = serde_json::json!({"memory_gb": 4});
        assert_eq!(
            refused(&v).field,
            format!("providers[{gcp}].redis[1].plan.memory_gb")
        );

        let mut v = base.clone();
        v["providers"][azure]["redis"][0]["plan"] = serde_json::json!({"capacity": 9});
        assert_eq!(
            refused(&v).field,
            format!("providers[{azure}].redis[0].plan.capacity")
        );

        // Two SKUs of one name would make a bill line's SKU ambiguous.
        let mut v = base.clone();
        let first = v["providers"][aws]["compute"][0]["sku"].clone();
        v["providers"][aws]["compute"][2]["sku"] = first;
        let e = refused(&v);
        assert_eq!(e.field, format!("providers[{aws}].compute[2].sku"));
        assert!(matches!(e.reason, Reason::Duplicate(_)));
    }

    #[test]
    fn invalid_catalogs_name_the_field() {
        let mut v: serde_json::Value = serde_json::from_str(BUILT_IN_JSON).unwrap();
        v["providers"][1]["compute"][2]["price"]["amount"] = serde_json::json!(-1.0);
        let err = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(
            matches!(&err, CatalogError::Invalid(e) if e.field == "providers[1].compute[2].price.amount"),
            "{err}"
        );

        let mut v: serde_json::Value = serde_json::from_str(BUILT_IN_JSON).unwrap();
        v["providers"][0]["compute"][0]["price"]["source"] = serde_json::json!("nowhere");
        let err = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(
            err.to_string()
                .contains("providers[0].compute[0].price.source"),
            "{err}"
        );

        let mut v: serde_json::Value = serde_json::from_str(BUILT_IN_JSON).unwrap();
        v["providers"][0]["id"] = serde_json::json!("moon");
        assert!(matches!(
            Catalog::from_json(&v.to_string()),
            Err(CatalogError::Json(_))
        ));

        let mut v: serde_json::Value = serde_json::from_str(BUILT_IN_JSON).unwrap();
        v["providers"][0]["egress"][1]["price"]["unit"] = serde_json::json!("hour");
        let err = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(
            err.to_string()
                .contains("providers[0].egress[1].price.unit"),
            "{err}"
        );

        let mut v: serde_json::Value = serde_json::from_str(BUILT_IN_JSON).unwrap();
        v["exchange_rates"] = serde_json::json!([]);
        let err = Catalog::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("currency"), "{err}");

        assert!(matches!(
            Catalog::from_json("{"),
            Err(CatalogError::Json(_))
        ));
    }

    #[test]
    fn a_user_catalog_replaces_a_provider() {
        let base = built_in();
        let mut user = base.clone();
        user.version = "mine".to_owned();
        user.providers.retain(|p| p.id == ProviderId::Linode);
        user.providers[0].compute[0].price.amount = 4.0;
        let merged = base.merged_with(&user).unwrap();
        assert_eq!(merged.providers.len(), 6);
        let linode = merged.provider(ProviderId::Linode).unwrap();
        assert_eq!(linode.compute[0].price.amount, 4.0);
        assert!(merged.version.ends_with("+mine"));
    }

    #[test]
    fn unknown_provider_keys_are_refused_with_the_field() {
        assert_eq!(
            ProviderId::parse("provider", "hetzner"),
            Ok(ProviderId::Hetzner)
        );
        let err = ProviderId::parse("provider", "ibm").unwrap_err();
        assert_eq!(err.field, "provider");
        assert!(err.to_string().contains("ibm"));
    }
}
