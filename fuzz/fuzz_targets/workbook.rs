//! A workbook's bytes, whatever they are: read as a sheet's CSV text or refused with a cause,
//! never a panic, an allocation past the limits, or a hang; and the text's line map covers
//! every line.
#![no_main]

use forecast_rollup::load::workbook::read_sheet_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sheet) = read_sheet_bytes(data, None) {
        let lines = sheet.text.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(sheet.rows.len(), lines, "a row for every line of the text");
        assert!(sheet.rows.windows(2).all(|w| w[0] <= w[1]), "rows out of order");
    }
});
