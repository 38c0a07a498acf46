//! The pool that runs CPU work (evaluations, bundles): at most `work_threads` jobs at once on
//! tokio's blocking threads, at most `work_queue` more waiting. A job past that is refused with
//! 503 and `Retry-After` at once, instead of queueing without bound while every client times out;
//! the async workers that answer health checks and live streams never run model code.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::AppError;

#[derive(Debug)]
pub struct WorkPool {
    /// Running plus waiting jobs.
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

impl WorkPool {
    pub fn new(threads: usize, queue: usize) -> Self {
        WorkPool {
            admitted: Arc::new(Semaphore::new(threads + queue)),
            running: Arc::new(Semaphore::new(threads)),
        }
    }

    /// Runs `job` on a blocking thread when one of the pool's slots is free; `what` names the
    /// work for the 503 message.
    pub async fn run<T, F>(&self, what: &str, job: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let Ok(admitted) = Arc::clone(&self.admitted).try_acquire_owned() else {
            return Err(AppError::ServiceUnavailable {
                what: format!("the server is busy: {what} queue is full"),
                retry_after: Duration::from_secs(1),
            });
        };
        let running = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let result = tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| AppError::Internal(e.into()));
        drop(running);
        drop(admitted);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_refuses_at_once_instead_of_queueing() {
        let pool = Arc::new(WorkPool::new(1, 1));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(std::sync::Mutex::new(wait));
        // One job runs (blocked), one waits: the pool is full.
        let mut jobs = Vec::new();
        for _ in 0..2 {
            let (pool, wait) = (Arc::clone(&pool), Arc::clone(&wait));
            jobs.push(tokio::spawn(async move {
                pool.run("test", move || {
                    let _ = wait.lock().unwrap().recv();
                    7
                })
                .await
            }));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refused = pool.run("test", || 0).await.unwrap_err();
        assert!(
            matches!(refused, AppError::ServiceUnavailable { .. }),
            "{refused}"
        );
        release.send(()).unwrap();
        release.send(()).unwrap();
        for j in jobs {
            assert_eq!(j.await.unwrap().unwrap(), 7);
        }
        // Free again.
        assert_eq!(pool.run("test", || 1).await.unwrap(), 1);
    }
}
