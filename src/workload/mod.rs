//! Workloads: the CSV format (read and write), the generator, and Workload DNA.

pub mod csv;
pub mod dna;
pub mod generate;
pub mod key_counter;
pub mod scan;
pub mod stats;
pub mod trace;
