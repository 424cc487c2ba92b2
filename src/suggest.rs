//! "Did you mean": the nearest of some known texts to what was written, for ids, periods and
//! file names. Near means the same once case, spaces and full-width forms are folded; or the
//! same once look-alike characters are (`O`/`0`, `l`/`I`/`1`: `XS0O12`, `XS00l2` for
//! `XS0012`); or one or two edits away (`XS012`), by the Damerau–Levenshtein distance of the
//! strsim crate. A suggestion is made only when one candidate is nearest.

/// Case and white space folded, full-width ASCII (`Ｒ－１`) made ASCII.
pub fn fold(text: &str) -> String {
    folded_chars(text).collect()
}

/// The characters of [`fold`], without building a string (for hashing).
pub fn folded_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
}

/// [`fold`], then characters that look alike in a spreadsheet's font made one.
pub fn look_alike(text: &str) -> String {
    fold(text)
        .chars()
        .map(|c| match c {
            'o' => '0',
            'l' | 'i' | '|' => '1',
            c => c,
        })
        .collect()
}

/// How many edits may separate a near miss from `text`: one for short texts, two from eight
/// characters on.
fn allowed_edits(text: &str) -> usize {
    if text.chars().count() >= 8 {
        2
    } else {
        1
    }
}

/// The one candidate nearest to `text`, if one is near enough and no other is as near.
/// `text` itself (exactly) is never suggested.
pub fn nearest<'a>(text: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let (f, l) = (fold(text), look_alike(text));
    let limit = allowed_edits(&f);
    let len = f.chars().count();
    // Rank: 0 same when folded, 1 same when look-alikes are folded, 2 + edits otherwise.
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for c in candidates {
        if c == text {
            continue;
        }
        let cf = fold(c);
        let rank = if cf == f {
            0
        } else if look_alike(c) == l {
            1
        } else {
            if cf.chars().count().abs_diff(len) > limit {
                continue;
            }
            let d = strsim::damerau_levenshtein(&cf, &f);
            if d > limit {
                continue;
            }
            2 + d
        };
        match best {
            Some((r, b)) if rank == r && b != c => tie = true,
            Some((r, _)) if rank >= r => {}
            _ => {
                best = Some((rank, c));
                tie = false;
            }
        }
    }
    match best {
        Some((_, c)) if !tie => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_people_mistype() {
        let ids = ["XS0012", "XS0013", "XS0021", "RG-HD", "CN"];
        assert_eq!(nearest("XS0O12", ids), Some("XS0012"));
        assert_eq!(nearest("XS00l2", ids), Some("XS0012"));
        assert_eq!(nearest("xs0012 ", ids), Some("XS0012"));
        assert_eq!(nearest("ＸＳ００１２", ids), Some("XS0012"));
        assert_eq!(nearest("rg-hd", ids), Some("RG-HD"));
        // One digit dropped: XS0012 and XS0021 are both one edit from XS002? No: only XS0012.
        assert_eq!(nearest("XS012", ids), Some("XS0012"));
        // Two candidates equally near: no guess.
        assert_eq!(nearest("XS001", ["XS0012", "XS0013"]), None);
        assert_eq!(nearest("completely different", ids), None);
        assert_eq!(nearest("XS0012", ids), None);
    }
}
