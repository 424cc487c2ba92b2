//! The one path from cell text to a number: [`parse_amount`] for money, [`parse_confidence`] for
//! multipliers. Nothing else in the crate turns text into a value.
//!
//! Accepted: `1234`, `1234.5`, `-12.30`, `+5`, `1,234.56`, `¥1,234.56`, `￥1234`, `-¥12`, `¥-12`,
//! accounting negatives `(1,234.56)`, full-width digits and punctuation (`１２３４．５`), and
//! surrounding spaces (ASCII, no-break and ideographic). Refused with a hint: Excel's scientific
//! display (`1.23E+06`, digits already lost), European (`1.234,56`) and Indian (`1,23,456`)
//! grouping, percentages where money is expected, empty cells, text, and more than 28 significant
//! digits (what a decimal holds).

use crate::t;
use crate::text::Text;
use rust_decimal::Decimal;

/// Significant digits a decimal column holds (`rust_decimal`'s 96-bit mantissa).
pub const MAX_DIGITS: usize = 28;

/// Why a cell is not a number. [`NumberError::text`] is the message; [`NumberError::hint`] the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    Empty,
    Scientific,
    EuropeanGrouping,
    IndianGrouping,
    BadGrouping,
    TooManyDigits,
    Percent,
    NotANumber,
    DecimalComma,
    ExcelError,
    /// The unit (万, 亿) and the whole number the cell means.
    ChineseUnit(char, String),
    OtherCurrency,
    SpaceGrouping,
    ColumnName,
    TextMark,
    LostCurrency,
}

impl NumberError {
    /// What is wrong with the cell, to follow its quoted text: `"abc" is not a number`.
    pub fn text(&self) -> Text {
        match self {
            NumberError::Empty => t!("is empty", "为空"),
            NumberError::Scientific => t!(
                "is in scientific notation, Excel's display of a long number: its digits are already lost",
                "是科学计数法，即 Excel 对长数字的显示方式：其数字已经丢失"
            ),
            NumberError::EuropeanGrouping => t!(
                "uses European grouping (`.` between thousands, `,` before the decimals)",
                "使用了欧式分组（千位之间用 `.`，小数点用 `,`）"
            ),
            NumberError::IndianGrouping => {
                t!("uses Indian grouping (lakh/crore commas)", "使用了印度式分组（lakh/crore 逗号）")
            }
            NumberError::BadGrouping => {
                t!("has thousands separators in the wrong places", "千位分隔符的位置不对")
            }
            NumberError::TooManyDigits => t!(
                "has more than 28 significant digits, more than a decimal holds",
                "有效数字超过 28 位，超出了十进制数能容纳的范围"
            ),
            NumberError::Percent => t!("is a percentage, not an amount", "是百分比，不是金额"),
            NumberError::NotANumber => t!("is not a number", "不是数字"),
            NumberError::DecimalComma => t!("uses a decimal comma", "用逗号作小数点"),
            NumberError::ExcelError => {
                t!("is an Excel error value, not a number", "是 Excel 的错误值，不是数字")
            }
            NumberError::ChineseUnit(unit, whole) => t!(
                "uses the unit {}, which is not read (write the whole number: {})",
                "使用了单位 {}，本工具不读取单位（请写完整数字：{}）",
                unit,
                whole
            ),
            NumberError::OtherCurrency => t!("has a currency other than ¥/￥", "使用了 ¥/￥ 以外的货币"),
            NumberError::SpaceGrouping => t!("has spaces between digits", "数字之间有空格"),
            NumberError::ColumnName => t!(
                "is a column name: the header row is repeated here",
                "是列名：表头行在这里重复出现"
            ),
            NumberError::TextMark => t!(
                "starts with ', Excel's mark for a number stored as text",
                "以 ' 开头，这是 Excel 中“以文本形式存储的数字”的标记"
            ),
            NumberError::LostCurrency => t!(
                "starts with ?, where a GBK export lost the currency sign ¥",
                "以 ? 开头：GBK 编码导出时丢失了货币符号 ¥"
            ),
        }
    }

    /// One line on how to fix the cell.
    pub fn hint(&self) -> Option<Text> {
        Some(match self {
            NumberError::Empty => t!(
                "write 0 for a line with no amount, or delete the line",
                "没有金额的行请填 0，或删除该行"
            ),
            NumberError::Scientific => t!(
                "format the column as Number (or Text) in Excel/WPS, re-type the full value, and export again",
                "在 Excel/WPS 中把该列设为“数值”（或“文本”）格式，重新输入完整数值后再导出"
            ),
            NumberError::EuropeanGrouping | NumberError::DecimalComma => t!(
                "write the number with a `.` before the decimals and `,` (or nothing) between thousands: 1234.56 or 1,234.56",
                "小数点用 `.`，千位之间用 `,`（或不用分隔符）：1234.56 或 1,234.56"
            ),
            NumberError::IndianGrouping | NumberError::BadGrouping => t!(
                "group digits in threes (1,234,567.89) or drop the separators (1234567.89)",
                "每三位一组（1,234,567.89），或去掉分隔符（1234567.89）"
            ),
            NumberError::TooManyDigits => t!(
                "round the value in the source system to at most 28 digits",
                "请在源系统中把数值舍入到最多 28 位"
            ),
            NumberError::Percent => t!(
                "amounts are plain numbers; percentages belong in confidence.csv",
                "金额请写普通数字；百分比只用于 confidence.csv（信心指数）"
            ),
            NumberError::ExcelError => t!(
                "the source sheet has a broken formula here (#N/A, #VALUE!…): fix it, then copy and paste as values before exporting",
                "源表此处的公式出错（#N/A、#VALUE! 等）：请修正，再“选择性粘贴为数值”后导出"
            ),
            NumberError::ChineseUnit(..) => t!(
                "write plain numbers without 万/亿, e.g. 10500 instead of 1.05万",
                "请写不带 万/亿 的普通数字，例如写 10500 而不是 1.05万"
            ),
            NumberError::OtherCurrency => t!(
                "a pack is in one currency: write the amount in yuan, as a plain number or with ¥",
                "一个数据包只用一种货币：请以人民币元填写，写普通数字或带 ¥"
            ),
            NumberError::SpaceGrouping => t!(
                "remove the spaces, or group with commas: 10500.00 or 10,500.00",
                "去掉空格，或用逗号分组：10500.00 或 10,500.00"
            ),
            NumberError::TextMark => t!(
                "remove the leading ' (in Excel/WPS: select the column, Data → Text to Columns → Finish)",
                "去掉开头的 '（在 Excel/WPS 中：选中该列，数据 → 分列 → 完成）"
            ),
            NumberError::ColumnName => t!(
                "were two exports pasted together? Delete this line, and check that the rows after it are not a second copy",
                "是否把两次导出粘贴到了一起？请删除这一行，并检查其后的行是不是第二份副本"
            ),
            NumberError::LostCurrency => t!(
                "export again as \"CSV UTF-8\", or take the currency format off the column (Format Cells → Number) before exporting",
                "请重新导出为“CSV UTF-8”，或在导出前取消该列的货币格式（设置单元格格式 → 数值）"
            ),
            NumberError::NotANumber => return None,
        })
    }
}

impl std::fmt::Display for NumberError {
    /// English, for an error chain; a user's message takes [`NumberError::text`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text().en)
    }
}

impl std::error::Error for NumberError {}

/// The message for a cell that is not a number: `"abc" is not a number`, or `empty cell`.
pub fn cell_message(raw: &str, e: &NumberError) -> Text {
    if raw.trim().is_empty() {
        t!("empty cell", "单元格为空")
    } else {
        t!("{} {}", "{} {}", crate::problem::quoted(raw), e.text())
    }
}

/// [`parse_amount`] for the forecast hot path: the cell's bytes to `(mantissa, scale)`. Plain
/// numbers never allocate or build a `Decimal`; anything else takes the full path.
pub fn parse_amount_parts(cell: &[u8]) -> Result<(i128, u32), NumberError> {
    if let Some(parts) = fast_parts(cell) {
        return Ok(parts);
    }
    let text = std::str::from_utf8(cell).map_err(|_| NumberError::NotANumber)?;
    parse_amount(text).map(|d| (d.mantissa(), d.scale()))
}

/// Parses money: see the module docs for what is accepted.
pub fn parse_amount(cell: &str) -> Result<Decimal, NumberError> {
    if let Some((m, s)) = fast_parts(cell.as_bytes()) {
        return Decimal::try_from_i128_with_scale(m, s).map_err(|_| NumberError::TooManyDigits);
    }
    parse_amount_text(cell).map_err(|e| match e {
        NumberError::NotANumber if is_column_name(cell) => NumberError::ColumnName,
        NumberError::NotANumber if text_marked(cell, parse_amount_text) => NumberError::TextMark,
        NumberError::NotANumber if lost_currency(cell) => NumberError::LostCurrency,
        e => e,
    })
}

/// `?26,500.00`: `¥26,500.00` exported in GBK (which has no `¥`) by a program that writes `?`
/// for what the code page lacks.
fn lost_currency(cell: &str) -> bool {
    let t = cell.trim();
    let rest =
        t.strip_prefix('?').or_else(|| t.strip_prefix('-').and_then(|r| r.strip_prefix('?')));
    rest.is_some_and(|r| parse_amount_text(r).is_ok())
}

/// `'1234`: a number that Excel stores as text, exported with its marker.
fn text_marked(cell: &str, parse: fn(&str) -> Result<Decimal, NumberError>) -> bool {
    cell.trim().strip_prefix(['\'', '‘', '’']).is_some_and(|rest| parse(rest).is_ok())
}

/// The names of the number columns, as a repeated header row puts them in a number's place.
fn is_column_name(cell: &str) -> bool {
    let n = super::headers::normalize(cell);
    [super::headers::FORECASTS, super::headers::TARGETS, super::headers::CONFIDENCE]
        .iter()
        .flat_map(|specs| specs.iter())
        .any(|s| s.name == n || s.aliases.contains(&n.as_str()))
}

fn parse_amount_text(cell: &str) -> Result<Decimal, NumberError> {
    let text = normalize(cell);
    let mut t = text.as_str();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    if t.starts_with('#') {
        return Err(NumberError::ExcelError);
    }
    if let Some(unit) = t.chars().last().filter(|c| matches!(c, '万' | '亿')) {
        let scale: Decimal = if unit == '万' { 10_000.into() } else { 100_000_000.into() };
        let number = parse_amount(t.trim_end_matches(unit));
        let whole =
            number.ok().and_then(|d| d.checked_mul(scale)).map(|d| d.normalize().to_string());
        return Err(NumberError::ChineseUnit(unit, whole.unwrap_or_else(|| "…".into())));
    }
    // 元 after the number is the same currency as ¥ before it.
    t = t.strip_suffix('元').map_or(t, str::trim_end);
    // Excel's accounting format writes zero as a dash (`¥-`, ` -   `): it is 0.
    if matches!(t, "-" | "¥-" | "￥-" | "¥ -" | "￥ -") {
        return Ok(Decimal::ZERO);
    }
    if t.starts_with(['$', '€', '£']) || t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("usd"))
    {
        return Err(NumberError::OtherCurrency);
    }
    if t.contains(' ')
        && t.split(' ').all(|g| {
            !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        })
    {
        return Err(NumberError::SpaceGrouping);
    }
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    // A sign may stand before or after the currency symbol: -¥12 and ¥-12.
    let mut signs = 0;
    loop {
        if let Some(r) = t.strip_prefix('-') {
            negative = !negative;
            signs += 1;
            t = r.trim_start();
        } else if let Some(r) = t.strip_prefix('+') {
            signs += 1;
            t = r.trim_start();
        } else if let Some(r) = t.strip_prefix(['¥', '￥']) {
            t = r.trim_start();
        } else {
            break;
        }
    }
    if signs > 1 {
        return Err(NumberError::NotANumber);
    }
    if t.ends_with('%') {
        return Err(NumberError::Percent);
    }
    let digits = check_grouping(t)?;
    let d = digits_to_decimal(&digits)?;
    Ok(if negative { -d } else { d })
}

/// Parses a confidence multiplier: `0.5`, `1`, `1.25`, or a percentage `90%` (= `0.9`).
/// Range checks belong to the caller, which knows `--max-confidence`.
pub fn parse_confidence(cell: &str) -> Result<Decimal, NumberError> {
    parse_confidence_text(cell).map_err(|e| match e {
        NumberError::NotANumber if is_column_name(cell) => NumberError::ColumnName,
        NumberError::NotANumber if text_marked(cell, parse_confidence_text) => {
            NumberError::TextMark
        }
        e => e,
    })
}

fn parse_confidence_text(cell: &str) -> Result<Decimal, NumberError> {
    // The common cells, `0.95` and `90%`, without the allocating full path.
    let bytes = cell.as_bytes();
    let (digits, percent) = match bytes.strip_suffix(b"%") {
        Some(d) => (d, true),
        None => (bytes, false),
    };
    if digits.first().is_some_and(u8::is_ascii_digit) {
        if let Some((m, scale)) = fast_parts(digits) {
            let scale = scale + if percent { 2 } else { 0 };
            if let Ok(d) = Decimal::try_from_i128_with_scale(m, scale) {
                return Ok(d.normalize());
            }
        }
    }
    let text = normalize(cell);
    let mut t = text.as_str();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let percent = match t.strip_suffix('%') {
        Some(r) => {
            t = r.trim_end();
            true
        }
        None => false,
    };
    let (negative, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if body.contains(',') {
        return Err(if body.contains('.') {
            NumberError::EuropeanGrouping
        } else {
            NumberError::DecimalComma
        });
    }
    let mut d = digits_to_decimal(&plain_digits(body)?)?;
    if percent {
        let scale = d.scale() + 2;
        d = Decimal::try_from_i128_with_scale(d.mantissa(), scale)
            .map_err(|_| NumberError::TooManyDigits)?;
    }
    if negative {
        d = -d;
    }
    Ok(d.normalize())
}

/// The common case, `-?digits(.digits)?` in ASCII with no spaces and at most 28 digits, as
/// `(mantissa, scale)`, without allocating: the whole part, then the fraction, each a tight
/// digit loop (in `u64` up to 19 digits; longer numbers take the `i128` loop).
fn fast_parts(b: &[u8]) -> Option<(i128, u32)> {
    let (neg, body) = match b.first()? {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    let len = body.len();
    if len == 0 || len > MAX_DIGITS {
        return None;
    }
    if len > 19 {
        return wide_parts(neg, body);
    }
    let mut m: u64 = 0;
    let mut i = 0;
    while i < len {
        let d = body[i].wrapping_sub(b'0');
        if d >= 10 {
            break;
        }
        m = m * 10 + u64::from(d);
        i += 1;
    }
    let mut scale = 0;
    if i < len {
        // Only a point may follow the whole part, with digits on both sides.
        if body[i] != b'.' || i == 0 || i + 1 == len {
            return None;
        }
        scale = (len - i - 1) as u32;
        i += 1;
        while i < len {
            let d = body[i].wrapping_sub(b'0');
            if d >= 10 {
                return None;
            }
            m = m * 10 + u64::from(d);
            i += 1;
        }
    }
    let m = i128::from(m);
    Some((if neg { -m } else { m }, scale))
}

/// [`fast_parts`] for 20 to 28 characters, in `i128`.
fn wide_parts(neg: bool, body: &[u8]) -> Option<(i128, u32)> {
    let len = body.len();
    let mut dot = usize::MAX;
    let mut m: i128 = 0;
    for (i, &c) in body.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            m = m * 10 + i128::from(d);
        } else if c == b'.' && dot == usize::MAX && i > 0 && i + 1 < len {
            dot = i;
        } else {
            return None;
        }
    }
    let scale = if dot == usize::MAX { 0 } else { (len - dot - 1) as u32 };
    Some((if neg { -m } else { m }, scale))
}

/// Trims surrounding white space and maps full-width digits and punctuation to ASCII.
fn normalize(cell: &str) -> String {
    let is_space = |c: char| c.is_whitespace() || c == '\u{feff}';
    cell.trim_matches(is_space)
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '，' => ',',
            '－' | '−' => '-',
            '＋' => '+',
            '（' => '(',
            '）' => ')',
            '％' => '%',
            // No-break and thin spaces between digit groups read as spaces (and are refused).
            '\u{a0}' | '\u{2009}' | '\u{202f}' | '\u{3000}' => ' ',
            'Ｅ' => 'E',
            'ｅ' => 'e',
            _ => c,
        })
        .collect()
}

/// Validates `1,234,567.89`-style grouping and returns the digits with one optional `.`.
fn check_grouping(t: &str) -> Result<String, NumberError> {
    if t.bytes().any(|b| b == b'e' || b == b'E') && t.bytes().any(|b| b.is_ascii_digit()) {
        return Err(NumberError::Scientific);
    }
    let dots = t.matches('.').count();
    let commas = t.matches(',').count();
    if commas == 0 {
        let groups: Vec<&str> = t.split('.').collect();
        let dotted_thousands = groups.len() > 2
            && (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3)
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if dotted_thousands {
            return Err(NumberError::EuropeanGrouping);
        }
        return plain_digits(t);
    }
    let last_dot = t.rfind('.');
    let last_comma = t.rfind(',').unwrap_or(0);
    if dots > 1 || last_dot.is_some_and(|d| d < last_comma) {
        return Err(NumberError::EuropeanGrouping);
    }
    let (int, frac) = match last_dot {
        Some(d) => (&t[..d], Some(&t[d + 1..])),
        None => (t, None),
    };
    if frac.is_some_and(|f| f.contains(',')) {
        return Err(NumberError::BadGrouping);
    }
    let groups: Vec<&str> = int.split(',').collect();
    let all_digits = groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
    if !all_digits {
        return Err(NumberError::NotANumber);
    }
    let first_ok = groups[0].len() <= 3;
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    if !(first_ok && rest_ok) {
        let indian = groups.len() >= 3
            && groups[1..groups.len() - 1].iter().all(|g| g.len() == 2)
            && groups[groups.len() - 1].len() == 3
            && groups[0].len() <= 2;
        if indian {
            return Err(NumberError::IndianGrouping);
        }
        // `1,5` and `12,75`: a decimal comma with no point anywhere.
        if groups.len() == 2 && last_dot.is_none() && groups[1].len() != 3 {
            return Err(NumberError::DecimalComma);
        }
        return Err(NumberError::BadGrouping);
    }
    let mut out: String = groups.concat();
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    plain_digits(&out)
}

/// Accepts `digits`, `digits.digits`, `.digits` and `digits.`; returns them unchanged.
fn plain_digits(t: &str) -> Result<String, NumberError> {
    let mut seen_digit = false;
    let mut seen_dot = false;
    for b in t.bytes() {
        match b {
            b'0'..=b'9' => seen_digit = true,
            b'.' if !seen_dot => seen_dot = true,
            b'e' | b'E' if seen_digit => return Err(NumberError::Scientific),
            _ => return Err(NumberError::NotANumber),
        }
    }
    if !seen_digit {
        return Err(NumberError::NotANumber);
    }
    Ok(t.to_string())
}

/// `digits[.digits]` → Decimal, refusing more than [`MAX_DIGITS`] significant digits.
fn digits_to_decimal(t: &str) -> Result<Decimal, NumberError> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let int = int.trim_start_matches('0');
    let significant =
        if int.is_empty() { frac.trim_start_matches('0').len() } else { int.len() + frac.len() };
    if significant > MAX_DIGITS || frac.len() > MAX_DIGITS {
        return Err(NumberError::TooManyDigits);
    }
    let mut m: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        m = m * 10 + i128::from(b - b'0');
    }
    Decimal::try_from_i128_with_scale(m, frac.len() as u32).map_err(|_| NumberError::TooManyDigits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn accepts_the_contract_forms() {
        for (cell, want) in [
            ("1234", "1234"),
            ("1234.5", "1234.5"),
            ("-12.30", "-12.30"),
            ("1,234.56", "1234.56"),
            ("¥1,234.56", "1234.56"),
            ("￥1234", "1234"),
            ("  42.10 ", "42.10"),
            ("-¥12", "-12"),
            ("¥-12", "-12"),
            ("(1,234.56)", "-1234.56"),
            ("１２３４．５", "1234.5"),
            ("￥１，２３４", "1234"),
            ("\u{3000}7\u{a0}", "7"),
            (".5", "0.5"),
            ("+3", "3"),
            ("1200元", "1200"),
            ("0.001", "0.001"),
        ] {
            assert_eq!(parse_amount(cell), Ok(d(want)), "{cell}");
        }
    }

    #[test]
    fn keeps_the_scale_as_written() {
        assert_eq!(parse_amount("1.50").unwrap().scale(), 2);
    }

    #[test]
    fn the_byte_path_agrees_with_the_text_path() {
        for cell in
            ["1234", "-12.30", "¥1,234.56", "(5)", "0.001", "１２", " 7 ", "abc", "1.2E3", ""]
        {
            let text = parse_amount(cell).map(|d| (d.mantissa(), d.scale()));
            assert_eq!(parse_amount_parts(cell.as_bytes()), text, "{cell:?}");
        }
    }

    #[test]
    fn refuses_what_it_would_have_to_guess() {
        for (cell, err) in [
            ("", NumberError::Empty),
            ("   ", NumberError::Empty),
            ("1.23E+06", NumberError::Scientific),
            ("1.23e6", NumberError::Scientific),
            ("1.234,56", NumberError::EuropeanGrouping),
            ("1.234.567", NumberError::EuropeanGrouping),
            ("1,23,456", NumberError::IndianGrouping),
            ("12,34,567.50", NumberError::IndianGrouping),
            ("12,75", NumberError::DecimalComma),
            ("1,2345", NumberError::DecimalComma),
            ("1,234,56", NumberError::BadGrouping),
            ("#N/A", NumberError::ExcelError),
            ("1.05万", NumberError::ChineseUnit('万', "10500".into())),
            ("$10,500.00", NumberError::OtherCurrency),
            ("10 500.00", NumberError::SpaceGrouping),
            ("90%", NumberError::Percent),
            ("abc", NumberError::NotANumber),
            ("--5", NumberError::NotANumber),
            ("1 234", NumberError::SpaceGrouping),
            ("1 2x", NumberError::NotANumber),
            ("12345678901234567890123456789", NumberError::TooManyDigits),
            ("0.00000000000000000000000000001", NumberError::TooManyDigits),
        ] {
            assert_eq!(parse_amount(cell), Err(err), "{cell:?}");
        }
    }

    #[test]
    fn reads_confidences_as_multipliers_or_percentages() {
        assert_eq!(parse_confidence("0.5"), Ok(d("0.5")));
        assert_eq!(parse_confidence("90%"), Ok(d("0.9")));
        assert_eq!(parse_confidence(" 112.5 % "), Ok(d("1.125")));
        assert_eq!(parse_confidence("１２５％"), Ok(d("1.25")));
        assert_eq!(parse_confidence("1.250").unwrap().to_string(), "1.25");
        assert_eq!(parse_confidence("-0.5"), Ok(d("-0.5")));
        assert_eq!(parse_confidence("0,9"), Err(NumberError::DecimalComma));
        assert_eq!(parse_confidence(""), Err(NumberError::Empty));
        assert_eq!(parse_confidence("high"), Err(NumberError::NotANumber));
        for cell in ["0.95", "90%", "1", "112.5%", "0", "0%", "2.", "1.2.3", "9%%", "01.50"] {
            assert_eq!(parse_confidence(cell), parse_confidence(&format!(" {cell} ")), "{cell}");
        }
    }

    #[test]
    fn every_error_but_text_has_a_hint() {
        assert!(NumberError::Scientific.hint().unwrap().en.contains("Excel"));
        assert!(NumberError::NotANumber.hint().is_none());
    }
}
