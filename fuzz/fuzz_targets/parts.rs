/// Splits a fuzz input into its parts at the line `=====` (so seeds are readable files).
pub fn split(data: &[u8]) -> Vec<&[u8]> {
    const SEPARATOR: &[u8] = b"\n=====\n";
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(i) = memchr::memmem::find(rest, SEPARATOR) {
        parts.push(&rest[..i]);
        rest = &rest[i + SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}
