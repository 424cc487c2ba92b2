//! Numbers and names as people read them: thousands separators, percentages, `Name (ID)`.
//! The one place for these formats; the files for finance never carry them (rollup.csv and
//! rollup.json write plain decimals through `exact::format_units`).

use crate::exact::{write_units, Exact, RATIO_SCALE};

/// `1234567.891` style units → `1,234,567.89` for people.
pub fn grouped(units: i128, scale: u32) -> String {
    let mut plain = String::new();
    write_units(&mut plain, units, scale);
    let (sign, rest) = plain.strip_prefix('-').map_or(("", plain.as_str()), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(a, b)| (a, Some(b)));
    let mut out = String::from(sign);
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A ratio in units of 10^-4 as a percentage with 2 decimals: `8801` → `88.01%`.
pub fn percent(units: i128) -> String {
    format!("{}%", grouped(units, RATIO_SCALE - 2))
}

/// A signed percentage: `+12.50%`.
pub fn signed_percent(units: i128) -> String {
    if units > 0 {
        format!("+{}", percent(units))
    } else {
        percent(units)
    }
}

/// A share in units of 10^-3 as a percentage with 1 decimal (`556` → `55.6%`); `—` where
/// there is none (a zero whole).
pub fn share(units: Option<i128>) -> String {
    match units {
        Some(u) => format!("{}%", grouped(u, 1)),
        None => "—".into(),
    }
}

/// Money with a sign when positive: `+1,234.00`, `-5.00`, `0.00`.
pub fn signed(units: i128, scale: u32) -> String {
    if units > 0 {
        format!("+{}", grouped(units, scale))
    } else {
        grouped(units, scale)
    }
}

/// An exact share as a percentage: `0.5` → `50%`.
pub fn share_limit(x: Exact) -> String {
    x.checked_mul(Exact::new(100, 0).unwrap_or(Exact::ONE))
        .map_or(x.to_string(), |p| format!("{p}%"))
}

/// `Name (ID)`, or the id alone where the name is empty.
pub fn who(name: &str, id: &str) -> String {
    if name.is_empty() {
        id.to_string()
    } else {
        format!("{name} ({id})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_and_keeps_every_decimal() {
        assert_eq!(grouped(123456789, 2), "1,234,567.89");
        assert_eq!(grouped(-100000, 2), "-1,000.00");
        assert_eq!(grouped(5, 0), "5");
        assert_eq!(grouped(99, 2), "0.99");
        assert_eq!(grouped(1000, 0), "1,000");
        assert_eq!(percent(8801), "88.01%");
        assert_eq!(signed_percent(1250), "+12.50%");
        assert_eq!(share(Some(556)), "55.6%");
        assert_eq!(share(None), "—");
        assert_eq!(signed(100, 2), "+1.00");
        assert_eq!(signed(-100, 2), "-1.00");
        assert_eq!(who("", "S1"), "S1");
        assert_eq!(who("张三", "S1"), "张三 (S1)");
    }
}
