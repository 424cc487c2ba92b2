//! The output contract, defined once: the columns of rollup.csv and of rollup.json's rows, in
//! order, with the row value ([`RollupRow`]) that fills them. The CSV header, the CSV and JSON
//! writers (in `report`) and the reader of a rollup.json (`review --previous`) all take the
//! column names from [`COLUMNS`].
//!
//! NOTE: CSV and JSON differ in two ways, on purpose. CSV text that a spreadsheet would run as
//! a formula gets a leading `'` (JSON is read by programs and keeps the text as given); JSON
//! money and confidences are strings holding the exact decimal (no JSON parser turns them into
//! binary floating point), and an empty cell is `null`.

use crate::exact::{format_units, Exact, UNITS_BUF};
use crate::model::Pack;
use crate::rollup::{Printed, Rollup, RATIO_SCALE};
use serde::{Serialize, Serializer};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text as given (formula-guarded in CSV).
    Text,
    /// A whole number.
    Count,
    /// Money at `--scale` decimals; may be empty.
    Money,
    /// A ratio at 4 decimals; may be empty.
    Ratio,
    /// A confidence in its shortest exact form.
    Confidence,
    /// `true` or `false`.
    Flag,
}

/// One column: its name (the CSV header and the JSON key) and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

/// The columns in order: the contract's fourteen, then this tool's four additions that let
/// every tie be checked from the file alone. See [`RollupRow`] for what each holds.
pub const COLUMNS: [Column; 18] = [
    col("period", Kind::Text),
    col("node_id", Kind::Text),
    col("name", Kind::Text),
    col("level", Kind::Text),
    col("parent_id", Kind::Text),
    col("depth", Kind::Count),
    col("raw", Kind::Money),
    col("forecast", Kind::Money),
    col("confidence", Kind::Confidence),
    col("adjusted", Kind::Money),
    col("contribution", Kind::Money),
    col("target", Kind::Money),
    col("gap", Kind::Money),
    col("attainment", Kind::Ratio),
    col("own", Kind::Money),
    col("own_contribution", Kind::Money),
    col("reviewed", Kind::Flag),
    col("note", Kind::Text),
];

/// The position of a column by name.
pub fn column(name: &str) -> Option<usize> {
    COLUMNS.iter().position(|c| c.name == name)
}

/// Money as a plain decimal string with exactly `scale` decimals: `-1234.50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub units: i128,
    pub scale: u32,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; UNITS_BUF];
        s.serialize_str(format_units(&mut buf, self.units, self.scale))
    }
}

/// A text cell. In CSV (`guard`), text that a spreadsheet would run as a formula gets a leading
/// `'`; JSON keeps the text as given.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    pub text: &'a str,
    pub guard: bool,
}

impl Text<'_> {
    /// Whether the cell gets the leading `'`.
    pub fn guarded(&self) -> bool {
        self.guard && self.text.starts_with(['=', '+', '-', '@', '\t', '\r'])
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.guarded() {
            s.serialize_str(&format!("'{}", self.text))
        } else {
            s.serialize_str(self.text)
        }
    }
}

/// A confidence in its shortest exact form: `0.9`, `1`, `1.25`.
#[derive(Debug, Clone, Copy)]
pub struct Ratio(pub Exact);

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// One row of rollup.csv and of rollup.json's `rows`: one node in one period. The fields are
/// [`COLUMNS`] in order (a test holds the two together).
#[derive(Debug, Clone, Serialize)]
pub struct RollupRow<'a> {
    /// The period label, e.g. `2026-Q4`.
    pub period: Text<'a>,
    /// The node's id in org.csv.
    pub node_id: Text<'a>,
    /// Display name as given (may be empty).
    pub name: Text<'a>,
    /// Level label as given (may be empty).
    pub level: Text<'a>,
    /// The parent's id; empty for the root.
    pub parent_id: Text<'a>,
    /// 0 at the root.
    pub depth: u32,
    /// Sum of every forecast line at or under the node, no multipliers. Money, `scale` decimals.
    pub raw: Money,
    /// The node's own number: its lines, plus its children's `adjusted`. Money.
    pub forecast: Money,
    /// The multiplier the parent gave this node, shortest exact form; `1` for the root or when
    /// none was given.
    pub confidence: Ratio,
    /// `forecast × confidence`: what the node carries into its parent's forecast. Money.
    pub adjusted: Money,
    /// The node's share of the root's forecast: `adjusted` × every ancestor's confidence. Money.
    pub contribution: Money,
    /// The node's target for the period; empty where none. Money.
    pub target: Option<Money>,
    /// Printed `forecast` − printed `target`; empty where no target. Money.
    pub gap: Option<Money>,
    /// Exact `forecast` / exact `target`, a ratio at 4 decimals; empty where the target is
    /// missing or zero.
    pub attainment: Option<Money>,
    /// The node's own forecast lines (a rep's are all of its lines; a manager's are flagged).
    /// Money. With it, `raw` = Σ children `raw` + `own` and `forecast` = Σ children `adjusted`
    /// + `own` tie exactly as printed.
    pub own: Money,
    /// What the node's own lines contribute to the root: `own × confidence × every ancestor's
    /// confidence`. Money. `contribution` = Σ children `contribution` + `own_contribution`.
    pub own_contribution: Money,
    /// Whether the parent gave this node a confidence for the period (`true` for the root).
    pub reviewed: bool,
    /// The reviewer's note on the confidence row that applies (备注), as given.
    pub note: Text<'a>,
}

/// One cell of a row, by column.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(Text<'a>),
    Count(u32),
    Money(Option<Money>),
    Confidence(Exact),
    Flag(bool),
}

impl<'a> RollupRow<'a> {
    /// The cells in [`COLUMNS`] order.
    pub fn cells(&self) -> [Cell<'a>; 18] {
        [
            Cell::Text(self.period),
            Cell::Text(self.node_id),
            Cell::Text(self.name),
            Cell::Text(self.level),
            Cell::Text(self.parent_id),
            Cell::Count(self.depth),
            Cell::Money(Some(self.raw)),
            Cell::Money(Some(self.forecast)),
            Cell::Confidence(self.confidence.0),
            Cell::Money(Some(self.adjusted)),
            Cell::Money(Some(self.contribution)),
            Cell::Money(self.target),
            Cell::Money(self.gap),
            Cell::Money(self.attainment),
            Cell::Money(Some(self.own)),
            Cell::Money(Some(self.own_contribution)),
            Cell::Flag(self.reviewed),
            Cell::Text(self.note),
        ]
    }
}

/// How many rows the outputs have: one per node per period.
pub fn row_count(pack: &Pack) -> usize {
    pack.tree.len() * pack.periods.len()
}

/// Row `k` of the outputs: period `k / nodes`, node number `k % nodes` in display order.
/// `guard`: formula-guard the text (CSV).
pub fn row<'a>(pack: &'a Pack, rollup: &'a Rollup, guard: bool, k: usize) -> RollupRow<'a> {
    let scale = rollup.opts.scale;
    let t = move |text: &'a str| Text { text, guard };
    let m = move |units: i128| Money { units, scale };
    let n = pack.tree.len();
    let (inputs, pr) = (&pack.periods[k / n], &rollup.periods[k / n]);
    let v = pack.tree.order[k % n];
    let i = v as usize;
    let org = &pack.org[i];
    let p: &Printed = &pr.printed[i];
    RollupRow {
        period: t(&inputs.period),
        node_id: t(&org.id),
        name: t(&org.name),
        level: t(&org.level),
        parent_id: t(&org.parent_id),
        depth: pack.tree.depth[i],
        raw: m(p.raw),
        forecast: m(p.forecast),
        confidence: Ratio(pr.confidence[i]),
        adjusted: m(p.adjusted),
        contribution: m(p.contribution),
        target: p.target.map(m),
        gap: p.gap.map(m),
        attainment: p.attainment.map(|units| Money { units, scale: RATIO_SCALE }),
        own: m(p.own),
        own_contribution: m(p.own_contribution),
        reviewed: v == pack.tree.root || inputs.confidence[i].is_some(),
        note: t(
            inputs.confidence[i].map_or("", |g| pack.confidence_rows[g.row as usize].note.as_str())
        ),
    }
}

/// The rows of rollup.json read back: each row's cells in [`COLUMNS`] order, as text (`None`
/// for a missing key or `null`).
#[derive(Debug)]
pub struct ReadRows {
    pub rows: Vec<Vec<Option<String>>>,
}

/// Why a file is not a rollup.json this tool wrote.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not JSON, or not an object with a \"rows\" list ({0})")]
    Shape(String),
    #[error("row {row}: \"{column}\" is missing or not a {what}")]
    Cell { row: usize, column: &'static str, what: &'static str },
}

/// Reads the rows of a rollup.json. Every column must be present in every row, with the kind
/// [`COLUMNS`] gives it (money and confidences as strings, empty cells as `null`).
pub fn read_json(bytes: &[u8]) -> Result<ReadRows, ReadError> {
    #[derive(serde::Deserialize)]
    struct File {
        rows: Vec<serde_json::Map<String, serde_json::Value>>,
    }
    let file: File = serde_json::from_slice(bytes).map_err(|e| ReadError::Shape(e.to_string()))?;
    let mut rows = Vec::with_capacity(file.rows.len());
    for (k, r) in file.rows.iter().enumerate() {
        let mut cells = Vec::with_capacity(COLUMNS.len());
        for c in COLUMNS {
            let bad = |what| ReadError::Cell { row: k + 1, column: c.name, what };
            let v = r.get(c.name);
            let cell = match (c.kind, v) {
                (Kind::Text, Some(serde_json::Value::String(s))) => Some(s.clone()),
                (Kind::Text, _) => return Err(bad("string")),
                (Kind::Count, Some(serde_json::Value::Number(n))) if n.is_u64() => {
                    Some(n.to_string())
                }
                (Kind::Count, _) => return Err(bad("whole number")),
                (Kind::Money | Kind::Ratio, Some(serde_json::Value::Null)) => None,
                (
                    Kind::Money | Kind::Ratio | Kind::Confidence,
                    Some(serde_json::Value::String(s)),
                ) => Some(s.clone()),
                (Kind::Money | Kind::Ratio, _) => return Err(bad("decimal string or null")),
                (Kind::Confidence, _) => return Err(bad("decimal string")),
                (Kind::Flag, Some(serde_json::Value::Bool(b))) => Some(b.to_string()),
                (Kind::Flag, _) => return Err(bad("true or false")),
            };
            cells.push(cell);
        }
        rows.push(cells);
    }
    Ok(ReadRows { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_are_the_row_fields_in_order() {
        let row = RollupRow {
            period: Text { text: "P", guard: false },
            node_id: Text { text: "N", guard: false },
            name: Text { text: "", guard: false },
            level: Text { text: "", guard: false },
            parent_id: Text { text: "", guard: false },
            depth: 0,
            raw: Money { units: 0, scale: 2 },
            forecast: Money { units: 0, scale: 2 },
            confidence: Ratio(Exact::ONE),
            adjusted: Money { units: 0, scale: 2 },
            contribution: Money { units: 0, scale: 2 },
            target: None,
            gap: None,
            attainment: None,
            own: Money { units: 0, scale: 2 },
            own_contribution: Money { units: 0, scale: 2 },
            reviewed: true,
            note: Text { text: "", guard: false },
        };
        let v = serde_json::to_value(&row).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(row.cells().len(), names.len());
        // serde_json's map is sorted; the order is checked by the writers' equality tests.
        names.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, names);
    }
}
