//! Reusable views: the live log and the throughput bars.

pub mod log_view;
pub mod throughput;
