//! Exact fixed-point decimals for the roll-up: an `i128` mantissa with a tracked scale.
//!
//! Inputs arrive as `rust_decimal::Decimal` (28 significant digits, what a decimal column holds).
//! The roll-up multiplies amounts by confidences level after level, and the scale of an exact
//! product is the sum of the factors' scales: a 4-decimal amount through five levels of 2-decimal
//! multipliers needs 14 decimals. `rust_decimal` would round such a product silently once it passes
//! 28 digits; `Exact` carries 38 digits and every operation is checked, so a value that cannot be
//! held exactly is reported (with the node that needs it), never rounded.
//!
//! Rounding happens in exactly one place: [`Exact::round_units`] and [`Exact::floor_units`], used by
//! the printed-value allocation in `rollup.rs`.

use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt;

/// The largest scale an `Exact` may carry (10^38 is the largest power of ten in an `i128`).
pub const MAX_SCALE: u32 = 38;

/// Decimals of a ratio in units (attainment, shares): 4, so `8750` is 87.50%.
pub const RATIO_SCALE: u32 = 4;

const fn pow10_table() -> [i128; 39] {
    let mut t = [1i128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
}

/// 10^0 ..= 10^38.
pub const POW10: [i128; 39] = pow10_table();

/// How a value exactly halfway between two printed values is rounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Rounding {
    /// Half away from zero (四舍五入): 0.125 → 0.13, -0.125 → -0.13.
    #[default]
    HalfUp,
    /// Half to even (banker's rounding): 0.125 → 0.12, 0.135 → 0.14.
    HalfEven,
}

impl Rounding {
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half-up",
            Rounding::HalfEven => "half-even",
        }
    }
}

/// An exact decimal `mantissa × 10^-scale`, kept normalized only where a caller asks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Exact {
    m: i128,
    s: u32,
}

impl Exact {
    pub const ZERO: Exact = Exact { m: 0, s: 0 };
    pub const ONE: Exact = Exact { m: 1, s: 0 };

    /// `mantissa × 10^-scale`; `None` when the scale exceeds [`MAX_SCALE`].
    pub fn new(mantissa: i128, scale: u32) -> Option<Exact> {
        (scale <= MAX_SCALE).then_some(Exact { m: mantissa, s: scale })
    }

    pub fn from_decimal(d: Decimal) -> Exact {
        Exact { m: d.mantissa(), s: d.scale() }
    }

    pub fn is_one(self) -> bool {
        let n = self.normalized();
        n.m == 1 && n.s == 0
    }

    /// The same value with trailing fractional zeros removed (`1.250` → `1.25`, `0.00` → `0`).
    pub fn normalized(self) -> Exact {
        let (mut m, mut s) = (self.m, self.s);
        if m == 0 {
            return Exact::ZERO;
        }
        // i128 division is a library call; most mantissas fit an i64, where it is one
        // instruction.
        if let Ok(mut small) = i64::try_from(m) {
            while s > 0 && small % 10 == 0 {
                small /= 10;
                s -= 1;
            }
            return Exact { m: i128::from(small), s };
        }
        while s > 0 && m % 10 == 0 {
            m /= 10;
            s -= 1;
        }
        Exact { m, s }
    }

    /// The decimals of the shortest exact form (`1.250` has 2).
    pub fn decimals(self) -> u32 {
        self.normalized().s
    }

    /// The value in units of `10^-scale` when that is exact and fits an `i128`; `None` when it
    /// has more decimals than `scale` (nothing is rounded) or is too large.
    pub fn exact_units(self, scale: u32) -> Option<i128> {
        let n = if self.s > scale { self.normalized() } else { self };
        if n.s > scale {
            return None;
        }
        n.mantissa_at(scale)
    }

    /// The mantissa at a larger scale, if it fits.
    fn mantissa_at(self, scale: u32) -> Option<i128> {
        debug_assert!(scale >= self.s);
        let d = (scale - self.s) as usize;
        if d == 0 {
            return Some(self.m);
        }
        // i128 checked multiplication is a library call; in 64 bits it is one instruction.
        if let (Ok(m), true) = (i64::try_from(self.m), d <= 18) {
            if let Some(v) = m.checked_mul(POW10[d] as i64) {
                return Some(i128::from(v));
            }
        }
        self.m.checked_mul(*POW10.get(d)?)
    }

    /// `mantissa × 10^-scale` from parts known to be in range (a scale at most
    /// [`MAX_SCALE`], as every `Exact`'s and every parsed amount's is).
    #[inline]
    pub fn from_parts(mantissa: i128, scale: u32) -> Exact {
        debug_assert!(scale <= MAX_SCALE);
        Exact { m: mantissa, s: scale }
    }

    #[inline]
    pub fn checked_add(self, other: Exact) -> Option<Exact> {
        let (m, s) = self.checked_add_parts(other.m, other.s)?;
        Some(Exact { m, s })
    }

    /// `self − other`, exact; `None` if it does not fit.
    pub fn checked_sub(self, other: Exact) -> Option<Exact> {
        let (m, s) = self.checked_add_parts(other.m.checked_neg()?, other.s)?;
        Some(Exact { m, s })
    }

    /// `self + m × 10^-s` as (mantissa, scale) at the larger of the two scales. The common
    /// case, equal scales, is one checked addition.
    #[inline]
    pub fn checked_add_parts(self, m: i128, s: u32) -> Option<(i128, u32)> {
        if s == self.s {
            return Some((self.m.checked_add(m)?, s));
        }
        let other = Exact { m, s };
        let s = self.s.max(s);
        Some((self.mantissa_at(s)?.checked_add(other.mantissa_at(s)?)?, s))
    }

    /// The exact product, normalized so that multiplying by `1` or `1.0` never grows the scale.
    pub fn checked_mul(self, other: Exact) -> Option<Exact> {
        let a = self.normalized();
        let b = other.normalized();
        // Two 64-bit mantissas multiply into 128 bits without overflow (one instruction).
        let m = match (i64::try_from(a.m), i64::try_from(b.m)) {
            (Ok(x), Ok(y)) => i128::from(x) * i128::from(y),
            _ => a.m.checked_mul(b.m)?,
        };
        let s = a.s + b.s;
        let p = Exact { m, s }.normalized();
        (p.s <= MAX_SCALE).then_some(p)
    }

    /// The value in units of `10^-scale`, rounded by `mode`; `None` if it does not fit an `i128`.
    pub fn round_units(self, scale: u32, mode: Rounding) -> Option<i128> {
        if self.s <= scale {
            return self.mantissa_at(scale);
        }
        let p = POW10[(self.s - scale) as usize];
        let (q, r) = div_rem(self.m, p);
        let r = r.unsigned_abs();
        let twice = r * 2; // r < 10^38, so 2r < 2^128
        let p = p as u128;
        let away = match mode {
            Rounding::HalfUp => twice >= p,
            Rounding::HalfEven => twice > p || (twice == p && q % 2 != 0),
        };
        Some(if away { q + self.m.signum() } else { q })
    }

    /// `floor(value × 10^scale)` and the fractional part left over, as a key in `[0, 10^38)` that
    /// compares the same way the fractions do, whatever their scales.
    pub fn floor_units(self, scale: u32) -> Option<(i128, u128)> {
        if self.s <= scale {
            return Some((self.mantissa_at(scale)?, 0));
        }
        let d = self.s - scale;
        let p = POW10[d as usize];
        let (mut q, mut r) = div_rem(self.m, p);
        if r < 0 {
            q -= 1;
            r += p;
        }
        Some((q, (r as u128) * (POW10[(MAX_SCALE - d) as usize] as u128)))
    }

    pub fn is_zero(self) -> bool {
        self.m == 0
    }

    /// `self / other` rounded to `digits` decimals, in units of `10^-digits`; `None` for a zero
    /// divisor or a quotient that cannot be computed within 128 bits.
    pub fn ratio_units(self, other: Exact, digits: u32, mode: Rounding) -> Option<i128> {
        let (a, b) = (self.normalized(), other.normalized());
        let s = a.s.max(b.s);
        div_round(a.mantissa_at(s)?, b.mantissa_at(s)?, digits, mode)
    }

    /// Compares by whole part, then by fraction: neither step can overflow, whatever the scales.
    fn cmp_exact(self, other: Exact) -> Ordering {
        let split = |e: Exact| e.floor_units(0).unwrap_or((e.m, 0));
        split(self).cmp(&split(other))
    }
}

impl PartialEq for Exact {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_exact(*other) == Ordering::Equal
    }
}

impl Eq for Exact {}

impl PartialOrd for Exact {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exact {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_exact(*other)
    }
}

/// `(m / p, m % p)`, in 64 bits where both fit (one instruction instead of a library call).
fn div_rem(m: i128, p: i128) -> (i128, i128) {
    match (i64::try_from(m), i64::try_from(p)) {
        (Ok(a), Ok(b)) => (i128::from(a / b), i128::from(a % b)),
        _ => (m / p, m % p),
    }
}

/// Room for any `i128` in decimal with a sign and a point.
pub const UNITS_BUF: usize = 48;

/// Formats `units × 10^-scale` with exactly `scale` decimals and a plain `.` (`-1234.50`) into
/// `buf`, without allocating; returns the text.
pub fn format_units(buf: &mut [u8; UNITS_BUF], units: i128, scale: u32) -> &str {
    let u = units.unsigned_abs();
    let mut i = UNITS_BUF;
    match u64::try_from(u) {
        // The common case: whole part and fraction in 64-bit arithmetic, two digits a step.
        Ok(small) if scale <= 18 => {
            let p = POW10[scale as usize] as u64;
            if scale > 0 {
                i = write_digits(buf, i, small % p, scale as usize);
                i -= 1;
                buf[i] = b'.';
            }
            i = write_digits(buf, i, small / p, 1);
        }
        _ => i = format_wide(buf, u, scale),
    }
    if units < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("")
}

const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `n` right-aligned to end at `end`, zero-padded to at least `min` digits; returns
/// where it starts.
fn write_digits(buf: &mut [u8; UNITS_BUF], end: usize, mut n: u64, min: usize) -> usize {
    let mut i = end;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    while end - i < min {
        i -= 1;
        buf[i] = b'0';
    }
    i
}

/// [`format_units`] for magnitudes past 64 bits or scales past 18: digit by digit.
fn format_wide(buf: &mut [u8; UNITS_BUF], mut u: u128, scale: u32) -> usize {
    let mut i = UNITS_BUF;
    let mut digits = 0;
    loop {
        if digits == scale && scale > 0 {
            i -= 1;
            buf[i] = b'.';
        }
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        digits += 1;
        if u == 0 && digits > scale {
            break;
        }
    }
    i
}

/// Appends `units × 10^-scale` as [`format_units`] writes it.
pub fn write_units(out: &mut String, units: i128, scale: u32) {
    let mut buf = [0u8; UNITS_BUF];
    out.push_str(format_units(&mut buf, units, scale));
}

impl Exact {
    /// The shortest exact form (as `Display` writes it) into `buf`, without allocating.
    pub fn format_shortest(self, buf: &mut [u8; UNITS_BUF]) -> &str {
        let n = self.normalized();
        format_units(buf, n.m, n.s)
    }
}

/// Shortest exact form: `0.9`, `1`, `1.25`, `-3`.
impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.normalized();
        let mut s = String::new();
        write_units(&mut s, n.m, n.s);
        f.write_str(&s)
    }
}

/// `a / b` rounded to `digits` decimals, as units of `10^-digits`; `None` when `b` is zero.
/// Long division keeps every intermediate below `10 × |b|`, so nothing overflows for any
/// `|b| < 10^37`.
pub fn div_round(a: i128, b: i128, digits: u32, mode: Rounding) -> Option<i128> {
    if b == 0 {
        return None;
    }
    let negative = (a < 0) != (b < 0);
    let (ua, ub) = (a.unsigned_abs(), b.unsigned_abs());
    let mut q = ua / ub;
    let mut r = ua % ub;
    for _ in 0..digits {
        q = q.checked_mul(10)?;
        r = r.checked_mul(10)?;
        q += r / ub;
        r %= ub;
    }
    let twice = r.checked_mul(2)?;
    let away = match mode {
        Rounding::HalfUp => twice >= ub,
        Rounding::HalfEven => twice > ub || (twice == ub && q % 2 == 1),
    };
    if away {
        q += 1;
    }
    let q = i128::try_from(q).ok()?;
    Some(if negative { -q } else { q })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(s: &str) -> Exact {
        Exact::from_decimal(s.parse().unwrap())
    }

    fn text(units: i128, scale: u32) -> String {
        let mut s = String::new();
        write_units(&mut s, units, scale);
        s
    }

    #[test]
    fn rounds_half_away_from_zero_and_half_even() {
        assert_eq!(x("0.125").round_units(2, Rounding::HalfUp), Some(13));
        assert_eq!(x("-0.125").round_units(2, Rounding::HalfUp), Some(-13));
        assert_eq!(x("0.125").round_units(2, Rounding::HalfEven), Some(12));
        assert_eq!(x("0.135").round_units(2, Rounding::HalfEven), Some(14));
        assert_eq!(x("-0.135").round_units(2, Rounding::HalfEven), Some(-14));
        assert_eq!(x("0.1249999").round_units(2, Rounding::HalfUp), Some(12));
        assert_eq!(x("7").round_units(2, Rounding::HalfUp), Some(700));
    }

    #[test]
    fn floor_and_fraction_keys_compare_across_scales() {
        let (f, k1) = x("1.005").floor_units(2).unwrap();
        assert_eq!(f, 100);
        let (_, k2) = x("2.0050000001").floor_units(2).unwrap();
        assert!(k2 > k1);
        let (f, k) = x("-1.001").floor_units(2).unwrap();
        assert_eq!((f, k > 0), (-101, true));
        assert_eq!(x("3.10").floor_units(2), Some((310, 0)));
    }

    #[test]
    fn products_are_exact_and_normalized() {
        let p = x("4448660386696.1234567890123456").checked_mul(x("1.37")).unwrap();
        assert_eq!(p.to_string(), "6094664729773.689135800946913472");
        assert_eq!(x("2.50").checked_mul(x("1.0")).unwrap().s, 1);
        assert!(x("1.000").is_one());
    }

    #[test]
    fn overflow_is_reported_not_rounded() {
        let big = Exact::new(10i128.pow(30), 0).unwrap();
        assert!(big.checked_mul(big).is_none());
        let tiny = Exact::new(1, 38).unwrap();
        assert!(tiny.checked_mul(tiny).is_none());
    }

    #[test]
    fn writes_units_with_fixed_decimals() {
        assert_eq!(text(-123450, 2), "-1234.50");
        assert_eq!(text(5, 2), "0.05");
        assert_eq!(text(-5, 2), "-0.05");
        assert_eq!(text(42, 0), "42");
        assert_eq!(text(0, 0), "0");
        assert_eq!(text(0, 2), "0.00");
        assert_eq!(text(i128::MIN, 2), "-1701411834604692317316873037158841057.28");
        assert_eq!(text(1_000_000_007, 4), "100000.0007");
        assert_eq!(text(-99, 0), "-99");
        assert_eq!(text(12, 19), "0.0000000000000000012");
        assert_eq!(text(i128::from(u64::MAX), 2), "184467440737095516.15");
        for v in [0i128, 1, 9, 10, 99, 100, 101, 12345, 987654321, -5, -100] {
            for scale in [0, 1, 2, 3, 4] {
                let wide = {
                    let mut b = [0u8; UNITS_BUF];
                    let i = format_wide(&mut b, v.unsigned_abs(), scale);
                    let sign = if v < 0 { "-" } else { "" };
                    format!("{sign}{}", std::str::from_utf8(&b[i..]).unwrap())
                };
                assert_eq!(text(v, scale), wide, "{v} at {scale}");
            }
        }
        assert_eq!(x("0.90").to_string(), "0.9");
        assert_eq!(x("0").to_string(), "0");
    }

    #[test]
    fn divides_with_rounding() {
        assert_eq!(div_round(1, 3, 4, Rounding::HalfUp), Some(3333));
        assert_eq!(div_round(2, 3, 4, Rounding::HalfUp), Some(6667));
        assert_eq!(div_round(-2, 3, 4, Rounding::HalfUp), Some(-6667));
        assert_eq!(div_round(1, 8, 2, Rounding::HalfEven), Some(12));
        assert_eq!(div_round(1, 0, 4, Rounding::HalfUp), None);
        assert_eq!(x("-7.775").ratio_units(x("3.333"), 4, Rounding::HalfUp), Some(-23327));
        assert_eq!(x("176.011").ratio_units(x("200"), 4, Rounding::HalfUp), Some(8801));
        assert_eq!(x("1").ratio_units(x("0"), 4, Rounding::HalfUp), None);
    }

    #[test]
    fn compares_values_of_different_scales() {
        assert_eq!(x("1.50"), x("1.5"));
        assert!(x("1.49") < x("1.5"));
        assert!(x("-2") < x("1.5"));
    }
}
