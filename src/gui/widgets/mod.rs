//! Reusable views: live log, throughput bars, paired comparison bars,
//! bucket heatmap, depth histogram.

pub mod axis;
pub mod compare_chart;
pub mod heatmap;
pub mod histogram;
pub mod log_view;
pub mod raster;
pub mod throughput;
