//! The one number parser on arbitrary cell text: no panic, and the hot path for forecast lines
//! (`parse_amount_parts`, on bytes) agrees with the full path (`parse_amount`) on every cell.
#![no_main]

use libfuzzer_sys::fuzz_target;
use forecast_rollup::load::number::{parse_amount, parse_amount_parts, parse_confidence};

fuzz_target!(|data: &[u8]| {
    let parts = parse_amount_parts(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let full = parse_amount(text);
    match (&parts, &full) {
        (Ok((m, s)), Ok(d)) => {
            assert_eq!((*m, *s), (d.mantissa(), d.scale()), "{text:?}: hot path and full path differ")
        }
        (Err(_), Err(_)) => {}
        _ => panic!("{text:?}: hot path {parts:?}, full path {full:?}"),
    }
    if let Ok(d) = full {
        // What the parser accepts, printed plainly, reads back as the same value.
        assert_eq!(parse_amount(&d.to_string()), Ok(d), "{text:?}");
    }
    if let Ok(c) = parse_confidence(text) {
        assert_eq!(c, c.normalize());
    }
});
