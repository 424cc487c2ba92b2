//! Reading a big file ahead of its parsing: a thread reads the next blocks of the file (and,
//! when asked, feeds them to SHA-256 for the audit record) while the workers parse the block
//! before, so the disk, the hash and the parse overlap instead of taking turns.

use sha2::{Digest as _, Sha256};
use std::io::Read;
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// How much the reading thread reads at a time.
const CHUNK: usize = 4 << 20;
/// Chunks read ahead of the parse: enough to keep the thread busy, little memory.
const AHEAD: usize = 2;

/// A file's size and SHA-256, as the reading thread saw its bytes go by.
pub type Digested = (u64, [u8; 32]);

/// `Read` over a file read by a thread of its own, `AHEAD` chunks in advance.
pub struct Prefetch {
    chunks: Receiver<std::io::Result<Arc<Vec<u8>>>>,
    /// Chunks read out, back to the thread to be filled again: the same few buffers go round,
    /// with no allocation (and no zeroing) per chunk.
    spare: Sender<Arc<Vec<u8>>>,
    current: Arc<Vec<u8>>,
    pos: usize,
    done: bool,
}

/// The reading thread, which ends with the file's digest once it has read it all.
pub struct Digest(JoinHandle<Option<Digested>>);

impl Digest {
    /// The file's size and SHA-256: waits for the thread, which has read the whole file when
    /// its reader returned the end. `None` if it stopped early or no hash was asked for.
    pub fn wait(self) -> Option<Digested> {
        self.0.join().ok().flatten()
    }
}

impl Prefetch {
    /// Starts reading `file`; with `hash`, also its SHA-256. A chunk is handed over as soon as
    /// it is read and hashed after, while the parse already works on it.
    pub fn new(mut file: std::fs::File, hash: bool) -> (Prefetch, Digest) {
        let (tx, rx) = sync_channel(AHEAD);
        let (spare, spares) = channel::<Arc<Vec<u8>>>();
        let thread = std::thread::spawn(move || {
            let mut h = hash.then(Sha256::new);
            let mut n = 0u64;
            loop {
                // A chunk comes back once both the parse and the hash are done with it.
                let mut chunk = (spares.try_recv().ok())
                    .and_then(|c| Arc::try_unwrap(c).ok())
                    .unwrap_or_default();
                chunk.clear();
                chunk.reserve_exact(CHUNK);
                // Fill the chunk (a read may return less than asked); nothing is zeroed first.
                let r = (&mut file).take(CHUNK as u64).read_to_end(&mut chunk);
                if let Err(e) = r {
                    let _ = tx.send(Err(e));
                    return None;
                }
                let filled = chunk.len();
                n += filled as u64;
                let end = filled < CHUNK;
                let chunk = Arc::new(chunk);
                // The parse stopped early (a problem in the file): no one is listening.
                if tx.send(Ok(Arc::clone(&chunk))).is_err() {
                    return None;
                }
                if let Some(h) = &mut h {
                    h.update(&chunk[..]);
                }
                if end {
                    return h.map(|h| (n, h.finalize().into()));
                }
            }
        });
        let prefetch = Prefetch { chunks: rx, spare, current: Arc::default(), pos: 0, done: false };
        (prefetch, Digest(thread))
    }
}

impl Read for Prefetch {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.current.len() {
            if self.done {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.done = chunk.len() < CHUNK;
                    let used = std::mem::replace(&mut self.current, chunk);
                    // The thread has ended once the file is read: nothing to give back to.
                    let _ = self.spare.send(used);
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let k = out.len().min(self.current.len() - self.pos);
        out[..k].copy_from_slice(&self.current[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_byte_in_order_and_hashes_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.csv");
        // More than two chunks, not a multiple of one.
        let bytes: Vec<u8> = (0..(CHUNK * 2 + 12345)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &bytes).unwrap();
        let (mut r, d) = Prefetch::new(std::fs::File::open(&p).unwrap(), true);
        let mut got = Vec::new();
        let mut small = [0u8; 1000];
        loop {
            let k = r.read(&mut small).unwrap();
            if k == 0 {
                break;
            }
            got.extend_from_slice(&small[..k]);
        }
        assert!(got == bytes);
        let (n, digest) = d.wait().unwrap();
        assert_eq!(n, bytes.len() as u64);
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&bytes)));
    }

    #[test]
    fn an_empty_file_and_a_whole_chunk_end_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0, CHUNK] {
            let p = dir.path().join(format!("f{len}"));
            std::fs::write(&p, vec![b'x'; len]).unwrap();
            let (mut r, d) = Prefetch::new(std::fs::File::open(&p).unwrap(), true);
            let mut got = Vec::new();
            r.read_to_end(&mut got).unwrap();
            assert_eq!(got.len(), len);
            assert_eq!(d.wait().unwrap().0, len as u64);
        }
    }
}
