//! Money with an explicit currency. Prices in the catalog keep the provider's own currency
//! (Hetzner bills in EUR); comparisons convert to USD at the catalog's *stated* rate, which the UI
//! shows next to every converted figure.

use serde::{Deserialize, Serialize};

/// Currencies the catalog prices in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd => "$",
            Currency::Eur => "€",
        }
    }
}

/// Hours billed in a month. Providers' calculators use 730 (≈ 365 × 24 / 12); the reference quotes
/// EKS's $0.10 an hour as $73 a month, so the same convention keeps our figures comparable.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// An amount of money in a currency.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    pub amount: f64,
    pub currency: Currency,
}

impl Money {
    pub fn usd(amount: f64) -> Self {
        Money {
            amount,
            currency: Currency::Usd,
        }
    }
}
