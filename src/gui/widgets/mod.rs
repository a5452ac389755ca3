//! Reusable views: live log, throughput bars, bucket heatmap, depth histogram.

pub mod heatmap;
pub mod histogram;
pub mod log_view;
pub mod raster;
pub mod throughput;
