//! One kind of background job for everything the GUI must not do on its own
//! thread: a suite run, a DNA analysis, an export, a file dialog, reading
//! history. A job runs on a named thread with a cancel token and the
//! repaint waker; it may stream progress, and ends with one result. The GUI
//! polls jobs in `logic()` under a time budget and applies what arrived as
//! commands. Nothing here knows egui (the waker is a plain callback).

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use crate::batch::runner::{CancelToken, Waker};

/// What a job's work gets: where to send progress, whether to stop, and
/// how to wake the GUI.
pub struct JobContext<P> {
    progress: Sender<P>,
    cancel: CancelToken,
    waker: Waker,
}

impl<P> JobContext<P> {
    /// Send progress and wake the GUI. A GUI that went away is ignored.
    pub fn report(&self, p: P) {
        let _ = self.progress.send(p);
        (self.waker)();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub fn cancel_token(&self) -> CancelToken {
        self.cancel.clone()
    }

    /// The progress channel itself, for work that sends on its own (the runner).
    pub fn sender(&self) -> Sender<P> {
        self.progress.clone()
    }

    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }
}

/// A running background job with progress `P` and result `T`.
pub struct Job<P, T> {
    name: String,
    progress: Receiver<P>,
    done: Receiver<T>,
    cancel: CancelToken,
    started: Instant,
}

/// What one poll found.
pub struct Polled<P, T> {
    pub progress: Vec<P>,
    /// The result, once every progress message before it was taken.
    pub done: Option<T>,
}

impl<P: Send + 'static, T: Send + 'static> Job<P, T> {
    /// Start `work` on a thread named `adhash-<name>`. `capacity` bounds the
    /// progress channel (0 = unbounded): a chatty worker then waits for the
    /// GUI rather than filling memory.
    pub fn spawn(
        name: &str,
        capacity: usize,
        waker: Waker,
        work: impl FnOnce(&JobContext<P>) -> T + Send + 'static,
    ) -> Result<Self, String> {
        let (ptx, prx) = if capacity == 0 {
            crossbeam_channel::unbounded()
        } else {
            crossbeam_channel::bounded(capacity)
        };
        let (dtx, drx) = crossbeam_channel::bounded(1);
        let cancel = CancelToken::new();
        let ctx = JobContext {
            progress: ptx,
            cancel: cancel.clone(),
            waker,
        };
        std::thread::Builder::new()
            .name(format!("adhash-{name}"))
            .spawn(move || {
                let result = work(&ctx);
                let _ = dtx.send(result);
                (ctx.waker)();
            })
            .map_err(|e| format!("cannot start the {name} thread: {e}"))?;
        Ok(Job {
            name: name.to_string(),
            progress: prx,
            done: drx,
            cancel,
            started: Instant::now(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Progress is waiting (a budget ran out before it was taken).
    pub fn has_backlog(&self) -> bool {
        !self.progress.is_empty()
    }

    /// Take progress for at most `budget`, then the result if the work is
    /// done and nothing sent before it is left. A job whose thread died
    /// without a result yields `lost` once.
    pub fn poll(&self, budget: Duration, lost: impl FnOnce() -> T) -> Polled<P, T> {
        let deadline = Instant::now() + budget;
        let mut progress = Vec::new();
        loop {
            match self.progress.try_recv() {
                Ok(p) => progress.push(p),
                Err(_) => break,
            }
            if Instant::now() >= deadline {
                return Polled {
                    progress,
                    done: None,
                };
            }
        }
        let done = match self.done.try_recv() {
            Ok(t) => {
                // Progress sent just before the result.
                progress.extend(self.progress.try_iter());
                Some(t)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(lost()),
        };
        Polled { progress, done }
    }
}

/// One-shot jobs whose results become commands: dialogs, exports, history
/// reads. Each carries the command it turns into.
pub struct JobQueue<T> {
    jobs: Vec<Job<(), T>>,
}

impl<T> Default for JobQueue<T> {
    fn default() -> Self {
        JobQueue { jobs: Vec::new() }
    }
}

impl<T: Send + 'static> JobQueue<T> {
    pub fn spawn(
        &mut self,
        name: &str,
        waker: Waker,
        work: impl FnOnce(&JobContext<()>) -> T + Send + 'static,
    ) -> Result<(), String> {
        self.jobs.push(Job::spawn(name, 0, waker, work)?);
        Ok(())
    }

    /// Results of finished jobs; `lost` stands in for a job that died.
    pub fn finished(&mut self, lost: impl Fn(&str) -> T) -> Vec<T> {
        let mut out = Vec::new();
        self.jobs
            .retain(|j| match j.poll(Duration::ZERO, || lost(j.name())).done {
                Some(t) => {
                    out.push(t);
                    false
                }
                None => true,
            });
        out
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn progress_comes_before_the_result_and_cancel_reaches_the_work() {
        let job: Job<u32, &'static str> = Job::spawn("t", 4, Arc::new(|| {}), |ctx| {
            for i in 0..10 {
                ctx.report(i);
            }
            while !ctx.is_cancelled() {
                std::thread::sleep(Duration::from_millis(1));
            }
            "stopped"
        })
        .unwrap();
        let mut seen = Vec::new();
        let until = Instant::now() + Duration::from_secs(10);
        while seen.len() < 10 {
            assert!(Instant::now() < until);
            let p = job.poll(Duration::from_millis(5), || "lost");
            assert!(p.done.is_none());
            seen.extend(p.progress);
        }
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        job.cancel();
        let done = loop {
            assert!(Instant::now() < until);
            if let Some(d) = job.poll(Duration::from_millis(5), || "lost").done {
                break d;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        assert_eq!(done, "stopped");
    }
}
