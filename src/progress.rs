//! A progress line on stderr for runs that take more than a second, on a terminal only: what
//! the run is doing and for how long, rewritten in place and erased before anything else is
//! printed. A pipe or a file never sees it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

struct State {
    stage: Mutex<String>,
    stop: AtomicBool,
    shown: AtomicBool,
    done: Mutex<Option<std::thread::JoinHandle<()>>>,
}

static STATE: OnceLock<State> = OnceLock::new();

/// Starts the line's clock (it shows after a second) if stderr is a terminal.
pub fn start(stage: &str) {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let state = STATE.get_or_init(|| State {
        stage: Mutex::new(stage.to_string()),
        stop: AtomicBool::new(false),
        shown: AtomicBool::new(false),
        done: Mutex::new(None),
    });
    let began = Instant::now();
    let handle = std::thread::spawn(move || {
        let Some(state) = STATE.get() else { return };
        while !state.stop.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(100));
            let secs = began.elapsed().as_secs_f64();
            if secs < 1.0 || state.stop.load(Ordering::Acquire) {
                continue;
            }
            let stage = state.stage.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[Kforecast-rollup: {stage}… {secs:.0} s");
            let _ = err.flush();
            state.shown.store(true, Ordering::Release);
        }
    });
    if let Ok(mut d) = state.done.lock() {
        *d = Some(handle);
    }
}

/// What the run is doing now.
pub fn stage(stage: &str) {
    if let Some(state) = STATE.get() {
        if let Ok(mut s) = state.stage.lock() {
            *s = stage.to_string();
        }
    }
}

/// Stops the line and erases it, before the run prints anything.
pub fn stop() {
    let Some(state) = STATE.get() else { return };
    state.stop.store(true, Ordering::Release);
    let handle = state.done.lock().ok().and_then(|mut d| d.take());
    if let Some(h) = handle {
        let _ = h.join();
    }
    if state.shown.swap(false, Ordering::AcqRel) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}
