//! One spelling per period. The usual ways of writing a quarter, a month, a half or a year
//! are read as one canonical label in every file, so that `2026Q4` in targets.csv and
//! `2026年第四季度` in confidence.csv are the `2026-Q4` of forecasts.csv:
//!
//! | period  | canonical | also read as                                                          |
//! |---------|-----------|-----------------------------------------------------------------------|
//! | quarter | `2026-Q4` | `2026Q4`, `2026 Q4`, `2026/Q4`, `2026-q4`, `2026年Q4`, `2026年第四季度`, `2026年第4季度`, `2026年4季度`, `2026年四季度`, `Q4 2026`, `Q4-2026`, `2026-4Q` |
//! | month   | `2026-11` | `2026-1` → `2026-01`, `2026/11`, `2026.11`, `2026年11月`, `202611`      |
//! | half    | `2026-H2` | `2026H2`, `2026 H2`, `2026年H2`, `H2 2026`, `2026年下半年` (上半年 = H1) |
//! | year    | `2026`    | `2026年`, `2026年度`                                                    |
//!
//! | fiscal  | `FY2027-Q3` | `FY2027Q3`, `FY 2027 Q3`, `fy2027-q3`, `2027财年Q3`, `2027财年第三季度`; also `FY2027-H2`, `FY2027` |
//!
//! Full-width characters (`２０２６年Ｑ４`) and surrounding spaces are read as their plain
//! forms. Years run from 1900 to 2999. Any other label (`FY26 Q4` with a two-digit year, `Q4`,
//! `秋季`) is kept exactly as written.
//!
//! A CRM export's close date becomes a period through [`of_date`]: a calendar quarter, month,
//! half or year, or a fiscal one (`FY2027-Q3`) when the fiscal year starts in another month.

/// The canonical label of a period, or `None` if `label` is not a spelling of a calendar
/// quarter, month, half or year (it is then kept as written).
pub fn canonical(label: &str) -> Option<String> {
    // Spaces inside are separators, like `-`.
    let label = label.trim().trim_start_matches(['\'', '‘', '’']);
    let folded: String = label
        .chars()
        .filter(|&c| !invisible(c))
        .map(plain)
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    let folded = folded.trim_matches('-');
    let s = folded.to_ascii_uppercase();
    // A fiscal period: `FY2027-Q3`, `2027财年Q3`. Fiscal months are not a thing this reads.
    let fiscal = if let Some(r) = s.strip_prefix("FY") {
        Some(r.trim_start_matches('-').to_string())
    } else {
        s.find("财年").map(|i| format!("{}{}", &s[..i], &s[i + "财年".len()..]))
    };
    if let Some(rest) = fiscal {
        let c = canonical(&rest)?;
        return (c.len() == 4 || c.contains(['Q', 'H'])).then(|| format!("FY{c}"));
    }
    let s = s.as_str();
    // `YYYY` followed by the rest, or the rest followed by `YYYY` (`Q4 2026`).
    let (year, rest) = if let Some(y) = year_prefix(s) {
        (y, &s[4..])
    } else if let Some(y) = year_suffix(s) {
        (y, &s[..s.len() - 4])
    } else {
        return None;
    };
    let bare = rest.starts_with(|c: char| c.is_ascii_digit());
    let rest = rest.trim_start_matches(['-', '/', '.', '_']).trim_end_matches(['-', '/', '.', '_']);
    let rest = rest.strip_prefix("年度").or_else(|| rest.strip_prefix('年')).unwrap_or(rest);
    let rest = rest.trim_start_matches(['-', '/', '.', '_']);
    if rest.is_empty() || rest == "度" {
        return Some(year.to_string());
    }
    if let Some(q) = quarter(rest) {
        return Some(format!("{year}-Q{q}"));
    }
    if let Some(h) = half(rest) {
        return Some(format!("{year}-H{h}"));
    }
    // Digits right after the year (`202611`) are a month only as two digits: `20261` is not.
    if bare && rest.len() != 2 {
        return None;
    }
    month(rest).map(|m| format!("{year}-{m:02}"))
}

/// Whether `label` is a calendar date (`2026-11-30`, `2026/11/30`, `2026年11月30日`, `11/30/2026`,
/// with or without a time) rather than a period: a spreadsheet turns `2026-11` typed into a cell
/// into the date 2026-11-01. Returns the month it falls in, canonical (`2026-11`).
pub fn date_month(label: &str) -> Option<String> {
    let t = label.trim();
    // Excel's serial number of a date (days since 1899-12-30), as a date cell formatted as a
    // number exports: 46356 is 2026-11-30.
    if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
        let serial: i64 = t.parse().ok()?;
        if (20_000..=80_000).contains(&serial) {
            let (y, m) = civil_month(serial - 25_569); // days since 1970-01-01
            return Some(format!("{y}-{m:02}"));
        }
    }
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> =
        t.split(['-', '/', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if parts[2].len() == 4 {
        // 11/30/2026 (US) or 30/11/2026: the month is the part that can only be one.
        match (n[0] <= 12, n[1] <= 12) {
            (true, false) => (n[2], n[0], n[1]),
            (false, true) => (n[2], n[1], n[0]),
            _ => (n[2], 0, 1),
        }
    } else {
        return None;
    };
    if !(1900..=2999).contains(&y) || !(1..=31).contains(&d) {
        return None;
    }
    if m == 0 {
        return Some(String::new());
    }
    (1..=12).contains(&m).then(|| format!("{y}-{m:02}"))
}

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Why a cell is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    Empty,
    /// `03/04/2026`: the 3rd of April or the 4th of March.
    Ambiguous,
    /// Not in the `date_format` given.
    NotInFormat,
    NotADate,
}

/// How long the periods made from dates are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Month,
    Quarter,
    Half,
    Year,
}

/// Which calendar year names a fiscal year that does not start in January.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiscalName {
    /// The year it ends in (April 2026 – March 2027 is FY2027): the default.
    End,
    /// The year it starts in (FY2026).
    Start,
}

/// Reads a date as CRM exports and workbooks write it: `2026-11-15`, `2026/11/15`,
/// `2026.11.15`, `2026年11月15日`, with or without a time after it; `11/15/2026` or
/// `15/11/2026` where only one reading is a date. With `format` (strftime, `%m/%d/%Y`), the
/// text must start with a date in that format (a time may follow).
pub fn parse_date(text: &str, format: Option<&str>) -> Result<Date, DateError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DateError::Empty);
    }
    if let Some(f) = format {
        let (d, rest) =
            chrono::NaiveDate::parse_and_remainder(t, f).map_err(|_| DateError::NotInFormat)?;
        if !(rest.is_empty() || rest.starts_with([' ', 'T'])) {
            return Err(DateError::NotInFormat);
        }
        use chrono::Datelike;
        return Ok(Date { year: d.year(), month: d.month(), day: d.day() });
    }
    let day = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> =
        day.split(['-', '/', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::NotADate);
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let valid = |y: u32, m: u32, d: u32| {
        (1900..=2999).contains(&y) && chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
    };
    let date = |y: u32, m: u32, d: u32| Date { year: y as i32, month: m, day: d };
    if parts[0].len() == 4 {
        return if valid(n[0], n[1], n[2]) {
            Ok(date(n[0], n[1], n[2]))
        } else {
            Err(DateError::NotADate)
        };
    }
    if parts[2].len() != 4 {
        return Err(DateError::NotADate);
    }
    match (valid(n[2], n[0], n[1]), valid(n[2], n[1], n[0])) {
        (true, true) if n[0] != n[1] => Err(DateError::Ambiguous),
        (true, _) => Ok(date(n[2], n[0], n[1])),
        (false, true) => Ok(date(n[2], n[1], n[0])),
        (false, false) => Err(DateError::NotADate),
    }
}

/// The period a date falls in: `2026-Q4`, `2026-11`, `2026-H2`, `2026`; with a fiscal year
/// starting in month `fiscal_start` (2..=12), `FY2027-Q3`, `FY2027-H2`, `FY2027` (months stay
/// calendar months). A fiscal year starting in April 2026 is FY2027 when named by the year it
/// ends in ([`FiscalName::End`]), FY2026 when named by its start.
pub fn of_date(date: Date, every: Every, fiscal_start: u32, named: FiscalName) -> String {
    let (y, m) = (date.year, date.month);
    if every == Every::Month {
        return format!("{y}-{m:02}");
    }
    let fiscal = (2..=12).contains(&fiscal_start);
    let start = if fiscal { fiscal_start } else { 1 };
    let start_year = if m >= start { y } else { y - 1 };
    let into = (m + 12 - start) % 12; // months since the (fiscal) year began
    let (prefix, year) = match (fiscal, named) {
        (false, _) => ("", start_year),
        (true, FiscalName::End) => ("FY", start_year + 1),
        (true, FiscalName::Start) => ("FY", start_year),
    };
    match every {
        Every::Quarter => format!("{prefix}{year}-Q{}", into / 3 + 1),
        Every::Half => format!("{prefix}{year}-H{}", into / 6 + 1),
        Every::Year | Every::Month => format!("{prefix}{year}"),
    }
}

/// The year and month of a day counted from 1970-01-01 (the proleptic Gregorian calendar).
fn civil_month(days: i64) -> (i64, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m)
}

/// Whether a label is a calendar period this tool reads, and of which length.
pub fn kind(label: &str) -> Option<&'static str> {
    let c = canonical(label)?;
    let c = c.strip_prefix("FY").unwrap_or(&c);
    Some(match c.len() {
        4 => "year",
        _ if c.contains('Q') => "quarter",
        _ if c.contains('H') => "half",
        _ => "month",
    })
}

/// The canonical label if there is one, else the label as written.
pub fn normalize(label: &str) -> String {
    canonical(label).unwrap_or_else(|| label.to_string())
}

/// Full-width ASCII forms (`Ｑ`, `２`, `－`) as their plain characters.
fn plain(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' | '\u{a0}' => ' ',
        // En and em dashes and the minus sign, as word processors and input methods type `-`.
        '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        c => c,
    }
}

/// Characters that take no space and mean nothing in a label (zero-width space, BOM).
fn invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
}

fn year_of(s: &str) -> Option<u32> {
    let y: u32 = s.parse().ok()?;
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) && (1900..=2999).contains(&y))
        .then_some(y)
}

fn year_prefix(s: &str) -> Option<u32> {
    year_of(s.get(..4)?)
}

fn year_suffix(s: &str) -> Option<u32> {
    let cut = s.len().checked_sub(4)?;
    // The year at the end must be separate from a digit before it (`Q42026` is not read).
    let before = s.get(..cut)?;
    if before.ends_with(|c: char| c.is_ascii_digit()) || before.is_empty() {
        return None;
    }
    year_of(s.get(cut..)?)
}

/// `1`..`4`, `一`..`四` or `I`..`IV`.
fn digit_1_to(c: &str, max: u32) -> Option<u32> {
    let n = match c {
        "一" | "I" => 1,
        "二" | "II" => 2,
        "三" | "III" => 3,
        "四" | "IV" => 4,
        _ => c.parse().ok()?,
    };
    (1..=max).contains(&n).then_some(n)
}

/// `Q4`, `4Q`, `Q4季度`, `第四季度`, `第4季度`, `4季度`, `四季度`, `第四季`, `第IV季度`, `IV`,
/// `10-12月`.
fn quarter(rest: &str) -> Option<u32> {
    // The months of a quarter: 10-12月.
    if let Some((a, b)) = rest.strip_suffix('月').and_then(|r| r.split_once(['-', '~', '至'])) {
        let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
        return (a % 3 == 1 && b == a + 2 && b <= 12).then_some(b / 3);
    }
    if matches!(rest, "I" | "II" | "III" | "IV") {
        return digit_1_to(rest, 4);
    }
    let rest = rest.strip_suffix("季度").filter(|r| r.starts_with('Q')).unwrap_or(rest);
    if let Some(n) = rest.strip_prefix('Q') {
        return digit_1_to(n, 4);
    }
    if let Some(n) = rest.strip_suffix('Q') {
        return digit_1_to(n, 4);
    }
    let r = rest.strip_prefix('第').unwrap_or(rest);
    let n = r.strip_suffix("季度").or_else(|| r.strip_suffix('季'))?;
    digit_1_to(n, 4)
}

/// `H2`, `2H`, `上半年` (1), `下半年` (2).
fn half(rest: &str) -> Option<u32> {
    match rest {
        "上半年" => return Some(1),
        "下半年" => return Some(2),
        _ => {}
    }
    if let Some(n) = rest.strip_prefix('H') {
        return digit_1_to(n, 2);
    }
    digit_1_to(rest.strip_suffix('H')?, 2)
}

/// `11`, `1`, `01`, `11月`.
fn month(rest: &str) -> Option<u32> {
    let r = rest.strip_suffix('月').unwrap_or(rest);
    if r.is_empty() || r.len() > 2 || !r.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m: u32 = r.parse().ok()?;
    (1..=12).contains(&m).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_spellings_of_a_quarter() {
        for s in [
            "2026-Q4",
            "2026Q4",
            "2026 Q4",
            "2026/Q4",
            "2026-q4",
            "2026年Q4",
            "2026年第四季度",
            "2026年第4季度",
            "2026年4季度",
            "2026年四季度",
            "Q4 2026",
            "Q4-2026",
            "2026-4Q",
            " ２０２６年Ｑ４ ",
            "2026年 Q4",
            "2026年第四季",
        ] {
            assert_eq!(canonical(s).as_deref(), Some("2026-Q4"), "{s}");
        }
    }

    #[test]
    fn reads_months_halves_and_years() {
        for (s, want) in [
            ("2026-11", "2026-11"),
            ("2026/11", "2026-11"),
            ("2026.11", "2026-11"),
            ("2026年11月", "2026-11"),
            ("202611", "2026-11"),
            ("2026-1", "2026-01"),
            ("2026年1月", "2026-01"),
            ("2026-H2", "2026-H2"),
            ("2026H1", "2026-H1"),
            ("H2 2026", "2026-H2"),
            ("2026年下半年", "2026-H2"),
            ("2026年上半年", "2026-H1"),
            ("2026", "2026"),
            ("2026年", "2026"),
            ("2026年度", "2026"),
        ] {
            assert_eq!(canonical(s).as_deref(), Some(want), "{s}");
        }
    }

    #[test]
    fn knows_a_date_from_a_period() {
        assert_eq!(date_month("2026-11-30").as_deref(), Some("2026-11"));
        assert_eq!(date_month("2026/11/1 0:00").as_deref(), Some("2026-11"));
        assert_eq!(date_month("2026年11月30日").as_deref(), Some("2026-11"));
        assert_eq!(date_month("11/30/2026").as_deref(), Some("2026-11"));
        assert_eq!(date_month("3/4/2026").as_deref(), Some(""));
        assert_eq!(date_month("46356").as_deref(), Some("2026-11"));
        assert_eq!(date_month("2026-11"), None);
        assert_eq!(date_month("2026-Q4"), None);
    }

    #[test]
    fn reads_fiscal_periods() {
        for (s, want) in [
            ("FY2027-Q3", "FY2027-Q3"),
            ("FY2027Q3", "FY2027-Q3"),
            ("FY 2027 Q3", "FY2027-Q3"),
            ("fy2027-q3", "FY2027-Q3"),
            ("2027财年Q3", "FY2027-Q3"),
            ("2027财年第三季度", "FY2027-Q3"),
            ("FY2027-H2", "FY2027-H2"),
            ("FY2027", "FY2027"),
        ] {
            assert_eq!(canonical(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(kind("FY2027"), Some("year"));
        assert_eq!(kind("FY2027-Q1"), Some("quarter"));
    }

    #[test]
    fn a_date_falls_in_its_calendar_or_fiscal_period() {
        let d = |y, m| Date { year: y, month: m, day: 1 };
        let cal = Every::Quarter;
        assert_eq!(of_date(d(2026, 11), cal, 1, FiscalName::End), "2026-Q4");
        assert_eq!(of_date(d(2026, 11), Every::Month, 4, FiscalName::End), "2026-11");
        assert_eq!(of_date(d(2026, 11), Every::Half, 1, FiscalName::End), "2026-H2");
        assert_eq!(of_date(d(2026, 11), Every::Year, 1, FiscalName::End), "2026");
        assert_eq!(of_date(d(2026, 5), cal, 4, FiscalName::End), "FY2027-Q1");
        assert_eq!(of_date(d(2026, 4), cal, 4, FiscalName::End), "FY2027-Q1");
        assert_eq!(of_date(d(2026, 3), cal, 4, FiscalName::End), "FY2026-Q4");
        assert_eq!(of_date(d(2026, 11), cal, 4, FiscalName::End), "FY2027-Q3");
        assert_eq!(of_date(d(2027, 1), cal, 4, FiscalName::End), "FY2027-Q4");
        assert_eq!(of_date(d(2027, 1), cal, 4, FiscalName::Start), "FY2026-Q4");
        assert_eq!(of_date(d(2026, 7), Every::Half, 7, FiscalName::End), "FY2027-H1");
        assert_eq!(of_date(d(2026, 6), Every::Year, 7, FiscalName::End), "FY2026");
        for f in [1, 4, 7, 10] {
            for m in 1..=12 {
                let label = of_date(d(2026, m), cal, f, FiscalName::End);
                assert_eq!(canonical(&label).as_deref(), Some(label.as_str()));
            }
        }
    }

    #[test]
    fn reads_dates_as_exports_write_them() {
        let ok = |s: &str, f: Option<&str>| parse_date(s, f).map(|d| (d.year, d.month, d.day));
        assert_eq!(ok("2026-11-15", None), Ok((2026, 11, 15)));
        assert_eq!(ok("2026/1/5 14:30:00", None), Ok((2026, 1, 5)));
        assert_eq!(ok("2026-11-15T08:00", None), Ok((2026, 11, 15)));
        assert_eq!(ok("2026.11.15", None), Ok((2026, 11, 15)));
        assert_eq!(ok("2026年11月15日", None), Ok((2026, 11, 15)));
        assert_eq!(ok("11/15/2026", None), Ok((2026, 11, 15)));
        assert_eq!(ok("15/11/2026", None), Ok((2026, 11, 15)));
        assert_eq!(ok("5/5/2026", None), Ok((2026, 5, 5)));
        assert_eq!(ok("3/4/2026", None), Err(DateError::Ambiguous));
        assert_eq!(ok("3/4/2026", Some("%m/%d/%Y")), Ok((2026, 3, 4)));
        assert_eq!(ok("3/4/2026 10:00 AM", Some("%m/%d/%Y")), Ok((2026, 3, 4)));
        assert_eq!(ok("3/4/2026", Some("%d/%m/%Y")), Ok((2026, 4, 3)));
        assert_eq!(ok("2026-02-30", None), Err(DateError::NotADate));
        assert_eq!(ok("", None), Err(DateError::Empty));
        assert_eq!(ok("next week", None), Err(DateError::NotADate));
        assert_eq!(ok("2026-11-15", Some("%m/%d/%Y")), Err(DateError::NotInFormat));
    }

    #[test]
    fn keeps_every_other_label_as_written() {
        for s in [
            "FY26 Q4",
            "FY2026-11",
            "Q4",
            "2026-Q5",
            "2026-13",
            "2026-00",
            "1899-Q1",
            "秋季",
            "2026-Q4-W1",
            "Q42026",
            "2026-H3",
            "20261",
            "P2026-Q4",
            "",
        ] {
            assert_eq!(canonical(s), None, "{s}");
        }
        assert_eq!(normalize("FY26 Q4"), "FY26 Q4");
    }
}
