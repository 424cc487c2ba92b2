//! The block tokenizer of pieces without quotes: every delimiter and line end of a piece, found
//! 64 bytes at a time. Each block becomes one 64-bit mask (bit `i` set when byte `i` is a
//! delimiter or `\n`), built with word-wide arithmetic on eight 8-byte words ("SIMD within a
//! register": portable, no `unsafe`, the same on every CPU); the positions are then read off
//! the mask with `trailing_zeros`. A search per cell (`memchr2`) pays a call and a set-up for
//! each of the four or five cells of a line; the mask pays about two instructions a byte for
//! the whole block and one per cell found.

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// `0x80` in each byte of `word` equal to `byte`, `0` in every other byte. Exact: adding
/// `0x7F` to a byte's low seven bits never carries into the next byte.
#[inline(always)]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// The 8-bit mask of an 8-byte word: bit `k` set when byte `k` is `a` or `b`.
#[inline(always)]
fn word_mask(word: u64, a: u8, b: u8) -> u64 {
    let high = equal_bytes(word, a) | equal_bytes(word, b);
    // Bit 7 of byte k moves to bit 56 + k; no two bits meet, so nothing carries.
    ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// The 64-bit mask of a 64-byte block.
#[inline(always)]
fn block_mask(block: &[u8; 64], a: u8, b: u8) -> u64 {
    let mut mask = 0u64;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("chunks_exact gives 8 bytes"));
        mask |= word_mask(word, a, b) << (8 * k);
    }
    mask
}

/// The positions of every `delimiter` and `\n` in a text, in order.
pub(super) struct Separators<'a> {
    blocks: std::slice::ChunksExact<'a, u8>,
    /// The last, short block, zero-padded, and its length; `None` once read.
    tail: Option<([u8; 64], usize)>,
    /// Where the current block starts in the text.
    base: usize,
    /// The current block's separators not yet returned.
    mask: u64,
    delimiter: u8,
    /// The position after the current block.
    next_base: usize,
}

impl<'a> Separators<'a> {
    pub(super) fn new(text: &'a [u8], delimiter: u8) -> Separators<'a> {
        let blocks = text.chunks_exact(64);
        let rest = blocks.remainder();
        let mut tail = [0u8; 64];
        tail[..rest.len()].copy_from_slice(rest);
        Separators {
            blocks,
            tail: Some((tail, rest.len())),
            base: 0,
            mask: 0,
            delimiter,
            next_base: 0,
        }
    }
}

impl Iterator for Separators<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base = self.next_base;
            if let Some(block) = self.blocks.next() {
                let block: &[u8; 64] = block.try_into().expect("chunks_exact gives 64 bytes");
                self.mask = block_mask(block, self.delimiter, b'\n');
                self.next_base += 64;
            } else {
                let (tail, len) = self.tail.take()?;
                // The padding is not text: whatever it matched is masked off.
                let valid = if len == 64 { u64::MAX } else { (1u64 << len) - 1 };
                self.mask = block_mask(&tail, self.delimiter, b'\n') & valid;
                self.next_base += len;
            }
        }
        let i = self.base + self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(text: &[u8], delimiter: u8) -> Vec<usize> {
        text.iter()
            .enumerate()
            .filter(|(_, &b)| b == delimiter || b == b'\n')
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn every_byte_value_in_every_position_of_a_word() {
        for delimiter in [b',', b';', b'\t', b'|'] {
            for byte in 0..=255u8 {
                for at in 0..8 {
                    let mut word = [b'a'; 8];
                    word[at] = byte;
                    let w = u64::from_le_bytes(word);
                    let want = u64::from(byte == delimiter || byte == b'\n') << at;
                    assert_eq!(word_mask(w, delimiter, b'\n'), want, "{byte:#x} at {at}");
                }
            }
        }
        // Every byte a separator, and none.
        assert_eq!(word_mask(u64::from_le_bytes([b','; 8]), b',', b'\n'), 0xff);
        assert_eq!(word_mask(u64::from_le_bytes([0x2c ^ 0x80; 8]), b',', b'\n'), 0);
    }

    #[test]
    fn short_and_block_sized_texts() {
        for len in [0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 200] {
            let text: Vec<u8> = (0..len)
                .map(|i| {
                    if i % 5 == 0 {
                        b','
                    } else if i % 7 == 0 {
                        b'\n'
                    } else {
                        b'x'
                    }
                })
                .collect();
            assert_eq!(
                Separators::new(&text, b',').collect::<Vec<_>>(),
                naive(&text, b','),
                "{len}"
            );
        }
    }

    proptest! {
        #[test]
        fn finds_what_a_byte_by_byte_scan_finds(
            text in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'\n'), Just(b';'), Just(b'\t'), any::<u8>()],
                0..400,
            ),
            delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(b'|')],
        ) {
            prop_assert_eq!(Separators::new(&text, delimiter).collect::<Vec<_>>(), naive(&text, delimiter));
        }
    }
}
