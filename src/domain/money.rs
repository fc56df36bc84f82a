//! Money as integer minor units with an ISO 4217 currency: no floating point anywhere.

use crate::error::{AppError, AppResult};

/// An amount of a currency, kept in minor units (cents, fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

/// Currencies whose minor unit is not 1/100. Everything else uses two decimals.
fn exponent(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "XAF" | "XOF" | "PYG" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

impl Money {
    /// Parses a decimal string such as `"1250000.50"` in `currency`.
    pub fn parse(amount: &str, currency: &str) -> AppResult<Money> {
        let currency = currency.trim().to_ascii_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(AppError::input(
                "currency",
                "currency must be a three-letter ISO 4217 code",
            ));
        }
        let bad = || {
            AppError::input(
                "amount",
                format!("amount {amount:?} is not a non-negative decimal number"),
            )
        };
        let amount = amount.trim();
        let (whole, frac) = amount.split_once('.').unwrap_or((amount, ""));
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let exp = exponent(&currency);
        if frac.len() > exp as usize {
            return Err(AppError::input(
                "amount",
                format!("{currency} has at most {exp} decimals"),
            ));
        }
        let scale = 10_i64.pow(exp);
        let frac_minor = if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>().map_err(|_| bad())? * 10_i64.pow(exp - frac.len() as u32)
        };
        let minor = whole
            .parse::<i64>()
            .ok()
            .and_then(|w| w.checked_mul(scale))
            .and_then(|w| w.checked_add(frac_minor))
            .ok_or_else(|| AppError::input("amount", "amount is too large"))?;
        Ok(Money { minor, currency })
    }

    /// The amount as a decimal string with the currency's number of decimals.
    pub fn amount(&self) -> String {
        let exp = exponent(&self.currency);
        if exp == 0 {
            return self.minor.to_string();
        }
        let scale = 10_i64.pow(exp);
        format!(
            "{}.{:0width$}",
            self.minor / scale,
            self.minor % scale,
            width = exp as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_minor_units() {
        assert_eq!(
            Money::parse("1250000.5", "cny").unwrap(),
            Money {
                minor: 125_000_050,
                currency: "CNY".into()
            }
        );
        assert_eq!(Money::parse("300", "JPY").unwrap().minor, 300);
        assert_eq!(Money::parse("1.234", "KWD").unwrap().minor, 1234);
    }

    #[test]
    fn minor_units_print_with_the_currency_decimals() {
        assert_eq!(
            Money {
                minor: 125_000_050,
                currency: "CNY".into()
            }
            .amount(),
            "1250000.50"
        );
        assert_eq!(
            Money {
                minor: 5,
                currency: "USD".into()
            }
            .amount(),
            "0.05"
        );
        assert_eq!(
            Money {
                minor: 300,
                currency: "JPY".into()
            }
            .amount(),
            "300"
        );
    }

    #[test]
    fn garbage_negative_and_overlong_amounts_are_refused() {
        for bad in [
            "",
            "-1",
            "1e6",
            "1.2.3",
            "abc",
            "1.234",
            "99999999999999999999",
        ] {
            assert!(Money::parse(bad, "USD").is_err(), "{bad}");
        }
        assert!(Money::parse("1", "US").is_err());
        assert!(Money::parse("1.5", "JPY").is_err());
    }
}
