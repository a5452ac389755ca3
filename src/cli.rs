//! The `adhash` command tree (formats.md §3): one struct per subcommand, and the
//! dispatch that runs it. Each command returns a `Result`; `main` maps
//! errors to exit codes and prints them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

use crate::bench::metrics::{METRICS_FILE, MetricsSink};
use crate::bench::profile::{PROFILE_REPEATS, profile};
use crate::bench::replay::{ReplayOptions, replay};
use crate::bench::summary::RunSummary;
use crate::config::AppConfig;
use crate::engine::{AdaptiveConfig, Mode};
use crate::error::{Error, Result};
use crate::log::{Log, human_bytes, thousands};
use crate::with_map;
use crate::workload::csv::{Limits, WorkloadReader, write_atomic};
use crate::workload::generate::{GenerateParams, generate_file};
use crate::workload::trace::Trace;

#[derive(Debug, Parser)]
#[command(
    name = "adhash",
    version,
    about = "Benchmark hash-map designs on real workloads",
    long_about = "Benchmark hash-map designs on real workloads.\n\n\
        Modes: fast-insert (two-level chaining), fast-lookup (Robin Hood), memory-tight \
        (compact Robin Hood), adaptive (hybrid, default), std (Rust's HashMap: the control)."
)]
pub struct Cli {
    /// Backend mode.
    #[arg(long, global = true, value_enum, default_value_t = Mode::Adaptive)]
    pub mode: Mode,
    /// Print the result as one JSON object on stdout (an error: one JSON line on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Write logs and errors on stderr as JSON lines.
    #[arg(long, global = true)]
    pub log_json: bool,
    /// Seed of the XXH3-64 key hash.
    #[arg(long, global = true, default_value_t = 0)]
    pub hash_seed: u64,
    /// Also write every log record (and the error, if any) to this file as
    /// JSON lines, rotated as the original does.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// The original tool's TOML config: [adaptive] thresholds where names
    /// map, [watchdog] guardrails for the ticks' alerts. --adaptive-* flags
    /// win. Default: $ADHASH_CONFIG when set and not empty.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Rotate the log file past this many bytes (0 = never).
    #[arg(long, global = true, default_value_t = 5_000_000)]
    pub log_max_bytes: u64,
    /// Rotated log files kept (FILE.1 … FILE.N).
    #[arg(long, global = true, default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub log_backup_count: u32,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a synthetic workload CSV (uniform, Zipf or adversarial keys).
    GenerateCsv(GenerateCsvArgs),
    /// Replay a sample against every mode and recommend the fastest.
    Profile(ProfileArgs),
    /// Replay a workload CSV against one mode and report throughput and latency.
    RunCsv(RunCsvArgs),
    /// Fingerprint a workload: op mix, hot keys, hash-bucket heatmap, skew verdict.
    WorkloadDna(WorkloadDnaArgs),
    /// Run a suite of jobs from a TOML spec and write Markdown/HTML/JSON reports.
    Batch(BatchArgs),
    /// Compare two batch JSON reports job by job: Δ, 97% interval, verdict.
    Compare(CompareArgs),
    /// Write a batch report's throughput for a tracker: Bencher Metric
    /// Format (bmf) or github-action-benchmark (gab).
    Export(ExportArgs),
    /// Open Mission Control, the desktop app (also what `adhash` alone does).
    MissionControl(MissionControlArgs),
}

#[derive(Debug, Args, Default)]
pub struct MissionControlArgs {
    /// Open this batch spec.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// Start the spec at once.
    #[arg(long, requires = "spec")]
    pub run: bool,
    /// Analyse this workload CSV in the Workload DNA tab.
    #[arg(long, value_name = "CSV")]
    pub dna: Option<PathBuf>,
    /// Tab to show first.
    #[cfg(feature = "gui")]
    #[arg(long, value_enum)]
    pub tab: Option<crate::gui::Tab>,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["spec", "list"])))]
pub struct BatchArgs {
    /// The suite to run.
    #[arg(long)]
    pub spec: Option<PathBuf>,
    /// List the bundled specs (docs/examples/*.toml).
    #[arg(long)]
    pub list: bool,
    /// Interpreter for a `.py` hashmap_cli.
    #[arg(long, value_name = "PATH")]
    pub python: Option<String>,
    /// Do not print the jobs' output, only progress and results.
    #[arg(long)]
    pub quiet: bool,
    /// Also write every event (lines, ticks, results) to FILE as NDJSON,
    /// flushed as it happens (adhash.batch_event.v1).
    #[arg(long, value_name = "FILE")]
    pub events_out: Option<PathBuf>,
    /// Serve the running job's latest tick for Prometheus on
    /// http://ADDR/metrics: a PORT alone is 127.0.0.1:PORT (loopback);
    /// another address is yours to choose.
    #[arg(long, value_name = "ADDR", value_parser = listen_addr)]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Also store this run as baseline NAME (beside the spec's history);
    /// `adhash compare --spec S --baseline NAME` compares against it.
    #[arg(long, value_name = "NAME")]
    pub save_baseline: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// OLD.json NEW.json: the earlier and the later batch JSON report. With
    /// --spec: at most NEW.json (default: the spec's newest run).
    #[arg(value_name = "REPORT.json", num_args = 0..=2)]
    pub reports: Vec<PathBuf>,
    /// Compare runs of this spec from its history: the newest (or the
    /// NEW.json given) against --baseline NAME, else against the previous
    /// complete and comparable run.
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<PathBuf>,
    /// The baseline to compare with (saved by `adhash batch --save-baseline`).
    #[arg(long, value_name = "NAME", requires = "spec")]
    pub baseline: Option<String>,
    /// Compare two jobs of one report instead (same CSV, paired rounds):
    /// --job B against --against A (default: the std job on B's CSV).
    #[arg(long, value_name = "REPORT.json", requires = "job", conflicts_with_all = ["spec", "reports", "out"])]
    pub within: Option<PathBuf>,
    /// With --within: the job judged.
    #[arg(long, value_name = "NAME", requires = "within")]
    pub job: Option<String>,
    /// With --within: the job it is judged against.
    #[arg(long, value_name = "NAME", requires = "within")]
    pub against: Option<String>,
    /// Also write the comparison here: .md, .html or .json.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Changes within ±PCT percent are `no change`; smaller changes are
    /// never `faster`/`slower` (0 to 100).
    #[arg(long, value_name = "PCT", default_value_t = crate::batch::compare::DEFAULT_THRESHOLD_PCT,
          value_parser = percent)]
    pub threshold: f64,
    /// Judge ops per wall-clock second (what a program feels) or per
    /// CPU-second of the replay thread (what the neighbours cannot change).
    #[arg(long, value_enum, default_value = "wall")]
    pub metric: MetricArg,
    /// Judge every job by its per-round ×std (ratio to the std job on its
    /// CSV): a job without one in both runs is inconclusive. By default
    /// ×std is judged where both runs have it.
    #[arg(long, conflicts_with = "raw")]
    pub normalize: bool,
    /// Judge raw figures only, even where both runs have a std job.
    #[arg(long)]
    pub raw: bool,
    /// Exit 1 when a job is `slower`, or present in OLD but missing or
    /// without an ok run in NEW (for CI).
    #[arg(long)]
    pub fail_on_regression: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// bmf: Bencher Metric Format; gab: github-action-benchmark's
    /// customBiggerIsBetter.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The batch JSON report (or a history entry).
    #[arg(value_name = "REPORT.json")]
    pub report: PathBuf,
    /// Write here instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Bmf,
    Gab,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MetricArg {
    Wall,
    Cpu,
}

fn listen_addr(s: &str) -> std::result::Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    // A host name (`localhost:9898`): its first address.
    match s.to_socket_addrs() {
        Ok(mut addrs) => addrs
            .next()
            .ok_or_else(|| format!("`{s}` resolves to no address")),
        Err(_) => Err(format!(
            "`{s}` is not PORT or HOST:PORT (e.g. 127.0.0.1:9898 or localhost:9898)"
        )),
    }
}

fn percent(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        Ok(_) => Err("must be between 0 and 100".into()),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

#[derive(Debug, Args)]
pub struct WorkloadDnaArgs {
    #[arg(long)]
    pub csv: PathBuf,
    /// Hottest keys to list (0 to 100,000).
    #[arg(long, default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=100_000))]
    pub top_keys: usize,
    /// Key strings kept as hot-key candidates (bounds memory; 1 to 100,000,000).
    #[arg(long, default_value_t = 200_000,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000_000))]
    pub max_tracked_keys: usize,
    /// Write the DNA report as JSON here.
    #[arg(long)]
    pub json_out: Option<PathBuf>,
    /// Indent the --json-out file.
    #[arg(long)]
    pub pretty: bool,
    #[command(flatten)]
    pub limits: CsvLimitArgs,
}

#[derive(Debug, Args)]
pub struct GenerateCsvArgs {
    /// The workload CSV to write (replaced atomically; never an input).
    #[arg(long)]
    pub outfile: PathBuf,
    /// Rows (operations) to write.
    #[arg(long, default_value_t = 100_000)]
    pub ops: u64,
    /// Share of rows that are GETs (0 to 1); the rest are PUTs and DELs.
    #[arg(long, default_value_t = 0.8)]
    pub read_ratio: f64,
    /// Zipf exponent of key popularity (0 = uniform).
    #[arg(long, default_value_t = 0.0)]
    pub key_skew: f64,
    /// Distinct keys drawn from (`K0` … `K<n-1>`).
    #[arg(long, default_value_t = 10_000)]
    pub key_space: u64,
    /// Seed of the generator: one seed gives a byte-identical file everywhere.
    #[arg(long, default_value_t = 1337)]
    pub seed: u64,
    /// Share of non-read rows that are deletes.
    #[arg(long, default_value_t = 0.2)]
    pub del_ratio: f64,
    /// Share of rows whose key collides on purpose.
    #[arg(long, default_value_t = 0.0)]
    pub adversarial_ratio: f64,
    /// Low hash bits that adversarial keys share (all zero).
    #[arg(long, default_value_t = 6)]
    pub adversarial_lowbits: u32,
}

#[derive(Debug, Args, Clone)]
pub struct CsvLimitArgs {
    /// Most data rows to accept (0 = no limit).
    #[arg(long, default_value_t = crate::workload::csv::DEFAULT_MAX_ROWS)]
    pub csv_max_rows: u64,
    /// Largest CSV to accept in bytes (0 = no limit).
    #[arg(long, default_value_t = crate::workload::csv::DEFAULT_MAX_BYTES)]
    pub csv_max_bytes: u64,
}

impl CsvLimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_rows: self.csv_max_rows,
            max_bytes: self.csv_max_bytes,
        }
    }
}

/// Thresholds of the adaptive mode (defaults: `AdaptiveConfig::default`).
#[derive(Debug, Args, Clone, Default)]
pub struct AdaptiveArgs {
    /// Share of overflowing chaining groups that moves adaptive to Robin Hood.
    #[arg(long, value_name = "SHARE")]
    pub adaptive_overflow_share: Option<f64>,
    /// Chaining load factor that moves adaptive to Robin Hood.
    #[arg(long, value_name = "LOAD")]
    pub adaptive_load_trigger: Option<f64>,
    /// Mean Robin Hood probe distance that moves adaptive back to chaining.
    #[arg(long, value_name = "SLOTS")]
    pub adaptive_max_probe: Option<f64>,
    /// Tombstone ratio at which Robin Hood compacts.
    #[arg(long, value_name = "RATIO")]
    pub adaptive_tombstone_trigger: Option<f64>,
    /// Entries migrated per operation.
    #[arg(long, value_name = "N")]
    pub adaptive_migrate_batch: Option<usize>,
    /// Operations between a migration and the next health check (doubles each time).
    #[arg(long, value_name = "OPS")]
    pub adaptive_cooldown_ops: Option<u64>,
}

impl AdaptiveArgs {
    /// The flags over `d` (the defaults, or what `--config` set).
    pub fn config(&self, d: AdaptiveConfig) -> Result<AdaptiveConfig> {
        let cfg = AdaptiveConfig {
            overflow_group_share: self
                .adaptive_overflow_share
                .unwrap_or(d.overflow_group_share),
            overflow_group_min: d.overflow_group_min,
            chaining_load_trigger: self
                .adaptive_load_trigger
                .unwrap_or(d.chaining_load_trigger),
            max_avg_probe: self.adaptive_max_probe.unwrap_or(d.max_avg_probe),
            tombstone_trigger: self
                .adaptive_tombstone_trigger
                .unwrap_or(d.tombstone_trigger),
            migrate_batch: self.adaptive_migrate_batch.unwrap_or(d.migrate_batch),
            cooldown_ops: self.adaptive_cooldown_ops.unwrap_or(d.cooldown_ops),
        };
        cfg.validate(|field| {
            match field {
                "overflow_group_share" => "--adaptive-overflow-share",
                "chaining_load_trigger" => "--adaptive-load-trigger",
                "max_avg_probe" => "--adaptive-max-probe",
                "tombstone_trigger" => "--adaptive-tombstone-trigger",
                "migrate_batch" => "--adaptive-migrate-batch",
                other => other,
            }
            .to_string()
        })?;
        Ok(cfg)
    }
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[arg(long)]
    pub csv: PathBuf,
    /// Rows from the start of the CSV to replay.
    #[arg(long, default_value_t = 100_000)]
    pub sample_rows: u64,
    /// Runs per mode (the median counts), 1 to 100.
    #[arg(long, default_value_t = PROFILE_REPEATS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub repeats: usize,
    #[command(flatten)]
    pub adaptive: AdaptiveArgs,
    /// After profiling, run adhash again with `--mode <pick>` and these arguments.
    #[arg(long, num_args = 1.., allow_hyphen_values = true, value_name = "ARGS")]
    pub then: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunCsvArgs {
    #[arg(long)]
    pub csv: PathBuf,
    /// Write the JSON summary here.
    #[arg(long)]
    pub json_summary_out: Option<PathBuf>,
    /// Latency samples kept (reservoir size, overall and per op type), 1 to 10,000,000.
    #[arg(long, default_value_t = 1000,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000_000))]
    pub latency_sample_k: usize,
    /// Time every Nth operation (at least 1).
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..))]
    pub latency_sample_every: u64,
    /// Bucket bounds of the ticks' latency histograms (the original's
    /// presets; default: $ADHASH_LATENCY_BUCKETS, else `default`).
    #[arg(long, value_enum)]
    pub latency_buckets: Option<crate::bench::latency::LatencyBuckets>,
    /// Write metrics ticks to DIR/metrics.ndjson.
    #[arg(long)]
    pub metrics_out_dir: Option<PathBuf>,
    /// Keep only the last N ticks (1 to 10,000,000).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=10_000_000))]
    pub metrics_max_ticks: Option<usize>,
    /// Milliseconds between metrics ticks (10 to 3,600,000).
    #[arg(long, value_name = "MS", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    pub metrics_interval_ms: u64,
    /// Compact the map every SECONDS of replay.
    #[arg(long, value_name = "SECONDS")]
    pub compact_interval: Option<f64>,
    /// Check the CSV and flags, then stop without replaying.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub limits: CsvLimitArgs,
    #[command(flatten)]
    pub adaptive: AdaptiveArgs,
}

impl Cli {
    /// A command's inputs plus the config file: no output may replace either.
    fn inputs<'a>(&'a self, own: &[crate::fs::Named<'a>]) -> Vec<crate::fs::Named<'a>> {
        let mut v = own.to_vec();
        if let Some(c) = &self.config {
            v.push(("--config", c.as_path()));
        }
        v
    }
}

/// The files a command reads and the files it writes, as its flags name
/// them (a batch's spec names more: `BatchSpec::check_outputs_with`).
fn command_io(cmd: &Option<Command>) -> (Vec<crate::fs::Named<'_>>, Vec<crate::fs::Named<'_>>) {
    let (mut inputs, mut outputs): (Vec<crate::fs::Named>, Vec<crate::fs::Named>) =
        (Vec::new(), Vec::new());
    match cmd {
        Some(Command::RunCsv(a)) => {
            inputs.push(("--csv", &a.csv));
            outputs.extend(
                a.json_summary_out
                    .as_deref()
                    .map(|p| ("--json-summary-out", p)),
            );
        }
        Some(Command::Profile(a)) => inputs.push(("--csv", &a.csv)),
        Some(Command::WorkloadDna(a)) => {
            inputs.push(("--csv", &a.csv));
            outputs.extend(a.json_out.as_deref().map(|p| ("--json-out", p)));
        }
        Some(Command::GenerateCsv(a)) => outputs.push(("--outfile", &a.outfile)),
        Some(Command::Batch(a)) => {
            inputs.extend(a.spec.as_deref().map(|p| ("--spec", p)));
            outputs.extend(a.events_out.as_deref().map(|p| ("--events-out", p)));
        }
        Some(Command::Compare(a)) => {
            inputs.extend(a.reports.iter().map(|p| ("a compared report", p.as_path())));
            inputs.extend(a.within.as_deref().map(|p| ("--within", p)));
            outputs.extend(a.out.as_deref().map(|p| ("--out", p)));
        }
        Some(Command::Export(a)) => {
            inputs.push(("the report", &a.report));
            outputs.extend(a.out.as_deref().map(|p| ("--out", p)));
        }
        Some(Command::MissionControl(_)) | None => {}
    }
    (inputs, outputs)
}

/// Run the parsed command line. `Ok(code)` is the exit code of a command
/// that ran (profile --then passes its child's through).
pub fn run(mut cli: Cli) -> Result<i32> {
    // The environment as the original reads it; an empty value is unset.
    if cli.config.is_none() {
        cli.config = std::env::var_os("ADHASH_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
    }
    if let Some(path) = &cli.log_file {
        // The log is appended to: it must not be one of the command's
        // inputs, nor one of its other outputs. A batch checks it against
        // its spec's CSVs and reports too, and opens it only then (an
        // error record would otherwise land in the file it refused).
        let (inputs, mut outputs) = command_io(&cli.command);
        outputs.push(("--log-file", path));
        crate::fs::check_outputs(&cli.inputs(&inputs), &outputs)?;
        if !matches!(cli.command, Some(Command::Batch(_))) {
            crate::log::open_log_file(path, cli.log_max_bytes, cli.log_backup_count)?;
        }
    }
    let log = Log {
        json: cli.log_json,
        quiet: false,
    };
    let app = match &cli.config {
        Some(path) => AppConfig::load(path, log)?,
        None => AppConfig::default(),
    };
    if matches!(cli.command, None | Some(Command::MissionControl(_)))
        && let Some(flag) = given_flag(&NOT_FOR_MISSION_CONTROL)
    {
        return Err(Error::bad_input(format!(
            "--{flag} does nothing in Mission Control: it is a flag of the CLI's commands"
        ))
        .with_hint("see `adhash mission-control --help` for the flags it takes"));
    }
    match &cli.command {
        None => mission_control(&MissionControlArgs::default()),
        Some(Command::MissionControl(a)) => mission_control(a),
        Some(Command::GenerateCsv(a)) => generate_csv(&cli, a, log),
        Some(Command::Profile(a)) => profile_cmd(&cli, &app, a, log),
        Some(Command::RunCsv(a)) => run_csv(&cli, &app, a, log),
        Some(Command::WorkloadDna(a)) => workload_dna(&cli, a, log),
        Some(Command::Batch(a)) => batch_cmd(&cli, &app, a, log),
        Some(Command::Compare(a)) => compare_cmd(&cli, a),
        Some(Command::Export(a)) => export_cmd(&cli, a),
    }
}

/// Global flags that mean nothing to Mission Control (it runs suites with
/// their own flags): hidden from its help and refused when given.
const NOT_FOR_MISSION_CONTROL: [&str; 3] = ["mode", "json", "hash-seed"];

/// The command line's parser: `Cli`'s, with Mission Control's help
/// showing only the flags it takes (issue 27, item 17). The CLI's global
/// flags reach every subcommand, so its help is rendered from its own
/// arguments alone.
pub fn command() -> clap::Command {
    use clap::{Args, CommandFactory};
    let cmd = Cli::command();
    let Some(mc) = cmd.find_subcommand("mission-control") else {
        return cmd;
    };
    let mut own = MissionControlArgs::augment_args(
        clap::Command::new("mission-control")
            .bin_name(format!("{} mission-control", bin_name()))
            .about(mc.get_about().cloned().unwrap_or_default()),
    );
    let help = own.render_help().to_string();
    cmd.mut_subcommand("mission-control", |sc| sc.override_help(help))
}

/// The program's name as it was started (help says what the user typed).
fn bin_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "adhash".into())
}

/// The first of `flags` (long names) given on the command line.
fn given_flag(flags: &[&'static str]) -> Option<&'static str> {
    std::env::args_os().skip(1).find_map(|a| {
        let a = a.to_string_lossy();
        let name = a.strip_prefix("--")?.split('=').next()?.to_string();
        flags.iter().copied().find(|f| **f == name)
    })
}

#[cfg(feature = "gui")]
fn mission_control(a: &MissionControlArgs) -> Result<i32> {
    crate::gui::run(crate::gui::LaunchOptions {
        spec: a.spec.clone(),
        run: a.run,
        dna: a.dna.clone(),
        tab: a.tab,
    })
}

/// A build without the `gui` feature (e.g. the fuzz targets' library) has
/// every command but the window.
#[cfg(not(feature = "gui"))]
fn mission_control(_: &MissionControlArgs) -> Result<i32> {
    Err(Error::bad_input(
        "this adhash was built without Mission Control (cargo feature `gui`)",
    )
    .with_hint("run a subcommand, e.g. `adhash batch --spec suite.toml`, or rebuild with default features"))
}

/// `adhash compare` (formats.md §9): text on stdout (or the comparison as JSON
/// under --json), `--out` by extension; exit 1 on a regression when asked.
fn compare_cmd(cli: &Cli, a: &CompareArgs) -> Result<i32> {
    use crate::batch::compare;
    use crate::batch::report::ReportFormat;
    if let Some(report) = &a.within {
        return compare_within(cli, a, report);
    }
    // A bad extension is refused before any report is read.
    a.out.as_deref().map(ReportFormat::from_path).transpose()?;
    let (old_path, new_path) = compare_pair(a)?;
    if let Some(out) = &a.out {
        crate::fs::check_outputs(
            &cli.inputs(&[("the old report", &old_path), ("the new report", &new_path)]),
            &[("--out", out)],
        )?;
    }
    let (a_old, a_new) = (&old_path, &new_path);
    let old = crate::batch::history::load(a_old)?;
    let new = crate::batch::history::load(a_new)?;
    let opts = compare::CompareOptions {
        threshold_pct: a.threshold,
        metric: match a.metric {
            MetricArg::Wall => compare::Metric::Wall,
            MetricArg::Cpu => compare::Metric::Cpu,
        },
        normalize: if a.normalize {
            compare::Normalize::Always
        } else if a.raw {
            compare::Normalize::Never
        } else {
            compare::Normalize::Auto
        },
    };
    let c = compare::compare(&old, a_old, &new, a_new, &opts);
    if let Some(out) = &a.out {
        compare::write(&c, out, a_old, a_new)?;
    }
    if cli.json {
        print_json(envelope(
            "compare",
            serde_json::to_value(&c).map_err(|e| Error::policy(e.to_string()))?,
        ));
    } else {
        crate::outln!("{}", compare::text(&c).trim_end_matches('\n'));
        if let Some(out) = &a.out {
            crate::errln!("comparison written to {}", out.display());
        }
    }
    let regressions = c.regressions();
    if a.fail_on_regression && !regressions.is_empty() {
        for r in &regressions {
            crate::errln!("regression: {}", crate::fmt::shown_text(r, 200));
        }
        return Ok(1);
    }
    Ok(0)
}

/// `adhash export` (formats.md §9): the report's throughput for a tracker,
/// on stdout or atomically into `--out`.
fn export_cmd(cli: &Cli, a: &ExportArgs) -> Result<i32> {
    use crate::batch::export;
    if let Some(out) = &a.out {
        crate::fs::check_outputs(&cli.inputs(&[("the report", &a.report)]), &[("--out", out)])?;
    }
    let suite = crate::batch::history::load(&a.report)?;
    let text = match a.format {
        ExportFormat::Bmf => export::bmf(&suite),
        ExportFormat::Gab => export::gab(&suite),
    };
    match &a.out {
        Some(out) => {
            write_atomic(out, |w| {
                w.write_all(text.as_bytes())
                    .map_err(|e| Error::io_at("cannot write", out, &e))
            })?;
            crate::errln!("exported to {}", out.display());
        }
        None => crate::outln!("{}", text.trim_end_matches('\n')),
    }
    Ok(0)
}

/// `adhash compare --within REPORT --job B [--against A]`: two jobs of one
/// suite on the same CSV, judged on their paired rounds (formats.md §9).
fn compare_within(cli: &Cli, a: &CompareArgs, report: &Path) -> Result<i32> {
    use crate::batch::verdict::{self, Metric, Verdict};
    let suite = crate::batch::history::load(report)?;
    let refs: Vec<&crate::batch::JobResult> = suite.jobs.iter().collect();
    let find = |name: &str| {
        suite.jobs.iter().find(|j| j.name == name).ok_or_else(|| {
            Error::bad_input(format!(
                "{}: no job `{}` (jobs: {})",
                report.display(),
                crate::fmt::shown_text(name, 60),
                crate::fmt::shown_text(
                    &suite
                        .jobs
                        .iter()
                        .map(|j| j.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    200
                )
            ))
        })
    };
    let job = find(a.job.as_deref().unwrap_or_default())?;
    let reference = match &a.against {
        Some(name) => find(name)?,
        None => verdict::control_of(&refs, job).ok_or_else(|| {
            Error::bad_input(format!(
                "job `{}` has no std job on its CSV to be judged against",
                crate::fmt::shown_text(&job.name, 60)
            ))
            .with_hint("name one with --against JOB")
        })?,
    };
    if job.csv != reference.csv {
        return Err(Error::bad_input(format!(
            "`{}` ran {} and `{}` ran {}: jobs on different CSVs are not comparable",
            crate::fmt::shown_text(&job.name, 60),
            crate::fmt::shown_text(&job.csv, 100),
            crate::fmt::shown_text(&reference.name, 60),
            crate::fmt::shown_text(&reference.csv, 100)
        )));
    }
    let metric = match a.metric {
        MetricArg::Wall => Metric::Wall,
        MetricArg::Cpu => Metric::Cpu,
    };
    let t = verdict::ratio_to(job, reference, metric, a.threshold).ok_or_else(|| {
        Error::bad_input(format!(
            "no {} figures for both jobs to compare",
            metric.unit()
        ))
    })?;
    let e = &t.estimate;
    let (verdict, reason) = match &t.judgement {
        Some(j) => (j.verdict, j.reason.clone()),
        None => (
            Verdict::Inconclusive,
            Some("no paired rounds: the suite did not interleave (interleave = true)".into()),
        ),
    };
    if cli.json {
        print_json(envelope(
            "compare",
            serde_json::json!({
                "job": job.name, "against": reference.name, "csv": job.csv,
                "metric": metric.name(), "ratio": e.value,
                "ci_low": e.interval.map(|i| i.0), "ci_high": e.interval.map(|i| i.1),
                "rounds": e.runs.0, "method": e.method.describe(),
                "verdict": verdict, "reason": reason,
            }),
        ));
    } else {
        crate::outln!(
            "{} vs {} on {}: {} ({} paired rounds, {}){}",
            crate::fmt::shown_text(&job.name, 60),
            crate::fmt::shown_text(&reference.name, 60),
            crate::fmt::shown_text(&job.csv, 100),
            t.text(),
            e.runs.0,
            metric.unit(),
            reason
                .map(|r| format!("\n{}: {r}", verdict.text()))
                .unwrap_or_default()
        );
    }
    Ok(if a.fail_on_regression && verdict == Verdict::Slower {
        1
    } else {
        0
    })
}

/// The ticks' histogram preset: the flag, else $ADHASH_LATENCY_BUCKETS, else
/// `default`. An unknown preset in the environment falls back to `default`
/// with a warning, as the original does (a flag's is an error: exit 2).
fn latency_buckets(
    flag: Option<crate::bench::latency::LatencyBuckets>,
    log: Log,
) -> crate::bench::latency::LatencyBuckets {
    use crate::bench::latency::LatencyBuckets;
    use clap::ValueEnum;
    if let Some(b) = flag {
        return b;
    }
    match std::env::var("ADHASH_LATENCY_BUCKETS") {
        Ok(v) if !v.trim().is_empty() => {
            LatencyBuckets::from_str(v.trim(), true).unwrap_or_else(|_| {
                log.warn(&format!(
                    "ADHASH_LATENCY_BUCKETS={} is not a preset (default, micro): using default",
                    crate::fmt::shown_text(&v, 40)
                ));
                LatencyBuckets::Default
            })
        }
        _ => LatencyBuckets::Default,
    }
}

/// The two reports `compare` reads: OLD NEW as given, or from `--spec`'s
/// history (formats.md §9): new = the NEW given or the newest run; old =
/// `--baseline NAME`, else the previous complete and comparable run.
fn compare_pair(a: &CompareArgs) -> Result<(PathBuf, PathBuf)> {
    use crate::batch::history;
    let Some(spec_path) = &a.spec else {
        return match a.reports.as_slice() {
            [old, new] => Ok((old.clone(), new.clone())),
            _ => Err(Error::bad_input("compare needs OLD.json NEW.json, or --spec SPEC")
                .with_hint("adhash compare OLD.json NEW.json, or adhash compare --spec suite.toml [--baseline NAME] [NEW.json]")),
        };
    };
    if a.reports.len() > 1 {
        return Err(Error::bad_input(
            "with --spec, give at most NEW.json (the old run comes from the history)",
        ));
    }
    let spec = crate::batch::spec::load(spec_path, None, &self_exe()?)?;
    let folder = history::folder(&spec);
    let entries = history::list(&folder);
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let new = match a.reports.first() {
        // One of the spec's own runs: its place in the history counts.
        Some(p) => match entries
            .iter()
            .find(|e| canonical(&e.path).is_some_and(|c| Some(c) == canonical(p)))
        {
            Some(e) => e.clone(),
            None => history::HistoryEntry::of(p, &history::load(p)?),
        },
        None => entries.first().cloned().ok_or_else(|| {
            Error::io(format!(
                "no archived runs of {} in {}",
                spec_path.display(),
                folder.display()
            ))
            .with_hint("run the suite first: adhash batch --spec …")
        })?,
    };
    let old = match &a.baseline {
        Some(name) => {
            let p = history::baseline_path(&folder, name)?;
            if !p.is_file() {
                return Err(Error::io(format!("no baseline `{name}`: {} does not exist", p.display()))
                    .with_hint("save one with adhash batch --spec … --save-baseline NAME"));
            }
            p
        }
        None => history::previous_comparable(&entries, &new)
            .map(|e| e.path.clone())
            .ok_or_else(|| {
                Error::io(format!(
                    "no earlier complete and comparable run of {} to compare {} with",
                    spec_path.display(),
                    new.path.display()
                ))
                .with_hint("runs that were cancelled, had a failed job, or ran another CSV or command are skipped")
            })?,
    };
    Ok((old, new.path))
}

fn print_json(value: serde_json::Value) {
    crate::outln!("{value}");
}

/// `{"ok": true, "command": ..., <fields of body>}`.
fn envelope(command: &str, body: serde_json::Value) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    obj.insert("ok".into(), true.into());
    obj.insert("command".into(), command.into());
    if let serde_json::Value::Object(fields) = body {
        obj.extend(fields);
    }
    serde_json::Value::Object(obj)
}

fn generate_csv(cli: &Cli, a: &GenerateCsvArgs, log: Log) -> Result<i32> {
    let params = GenerateParams {
        ops: a.ops,
        read_ratio: a.read_ratio,
        key_skew: a.key_skew,
        key_space: a.key_space,
        seed: a.seed,
        del_ratio: a.del_ratio,
        adversarial_ratio: a.adversarial_ratio,
        adversarial_lowbits: a.adversarial_lowbits,
    };
    let t0 = Instant::now();
    crate::fs::check_outputs(&cli.inputs(&[]), &[("--outfile", &a.outfile)])?;
    let rows = generate_file(&params, &a.outfile)?;
    let secs = t0.elapsed().as_secs_f64();
    let rate = rows as f64 / secs.max(1e-9);
    if cli.json {
        print_json(envelope(
            "generate-csv",
            serde_json::json!({
                "outfile": a.outfile.display().to_string(),
                "rows": rows,
                "elapsed_seconds": secs,
                "rows_per_second": rate,
            }),
        ));
    } else {
        log.info(&format!(
            "wrote {} rows to {} in {secs:.2} s ({} rows/s)",
            thousands(rows as f64),
            a.outfile.display(),
            thousands(rate)
        ));
    }
    Ok(0)
}

/// The whole workload, the seconds parsing took, and the file's size and
/// checksum (hashed as it was parsed).
fn read_trace(path: &Path, limits: Limits) -> Result<(Trace, f64, u64, String)> {
    let t0 = Instant::now();
    let mut reader = WorkloadReader::open_checksummed(path, limits)?;
    let trace = Trace::read(&mut reader)?;
    let source = reader.source();
    // Truncated or rewritten under the reading: the replay would measure a
    // part, or a mix, while claiming the whole.
    source.check_unchanged(path)?;
    Ok((
        trace,
        t0.elapsed().as_secs_f64(),
        source.bytes(),
        source.checksum(),
    ))
}

fn profile_cmd(cli: &Cli, app: &AppConfig, a: &ProfileArgs, log: Log) -> Result<i32> {
    let cfg = a.adaptive.config(app.adaptive)?;
    if a.sample_rows == 0 {
        return Err(Error::bad_input("--sample-rows must be at least 1"));
    }
    let limits = Limits {
        max_rows: 0,
        max_bytes: 0,
    };
    let trace = Trace::read_first(&mut WorkloadReader::open(&a.csv, limits)?, a.sample_rows)?;
    log.info(&format!(
        "profiling {} rows of {} against {} modes, {} runs each",
        trace.len(),
        a.csv.display(),
        Mode::ALL.len(),
        a.repeats
    ));
    let report = profile(&trace, cli.hash_seed, cfg, a.repeats)?;
    if cli.json {
        // The original's fields (`csv`, `recommended_mode`, `result`: the
        // pick's name, as the original prints it) beside our per-mode
        // figures at the top level.
        let body = serde_json::to_value(&report).map_err(|e| Error::policy(e.to_string()))?;
        let mut out = envelope("profile", body);
        if let serde_json::Value::Object(o) = &mut out {
            o.insert("csv".into(), a.csv.display().to_string().into());
            o.insert("recommended_mode".into(), report.recommended.clone().into());
            o.insert("result".into(), report.recommended.clone().into());
        }
        print_json(out);
    } else {
        // The table on stderr, the pick alone on stdout:
        // `mode=$(adhash profile --csv w.csv)` works as with the original.
        crate::errln!(
            "{:<14} {:>14} {:>8} {:>12}  final backend",
            "mode",
            "median ops/s",
            "vs std",
            "memory"
        );
        for m in &report.modes {
            crate::errln!(
                "{:<14} {:>14} {:>7.2}x {:>12}  {}",
                m.mode,
                thousands(m.ops_per_second),
                m.vs_std,
                human_bytes(m.map_memory_bytes),
                m.final_backend
            );
        }
        crate::outln!("{}", report.recommended);
    }
    if a.then.is_empty() {
        return Ok(0);
    }
    let exe = std::env::current_exe()
        .map_err(|e| Error::io(format!("cannot find the adhash binary: {e}")))?;
    log.info(&format!(
        "running: adhash --mode {} {}",
        report.recommended,
        a.then.join(" ")
    ));
    let status = std::process::Command::new(exe)
        .arg("--mode")
        .arg(&report.recommended)
        .args(&a.then)
        .status()
        .map_err(|e| Error::io(format!("cannot run adhash for --then: {e}")))?;
    Ok(status.code().unwrap_or(4))
}

fn run_csv(cli: &Cli, app: &AppConfig, a: &RunCsvArgs, log: Log) -> Result<i32> {
    let cfg = a.adaptive.config(app.adaptive)?;
    if a.latency_sample_every == 0 {
        return Err(Error::bad_input(
            "--latency-sample-every must be at least 1",
        ));
    }
    let compact_interval = match a.compact_interval {
        None => None,
        // `try_`: a period too long for a Duration is bad input, not a panic.
        Some(s) if s > 0.0 => Some(Duration::try_from_secs_f64(s).map_err(|_| {
            Error::bad_input(format!("--compact-interval {s} is too long a period"))
        })?),
        Some(s) => {
            return Err(Error::bad_input(format!(
                "--compact-interval must be a positive number of seconds, got {s}"
            )));
        }
    };
    // Outputs never destroy inputs: checked before any work.
    let metrics_file = a.metrics_out_dir.as_ref().map(|d| d.join(METRICS_FILE));
    let mut outputs: Vec<crate::fs::Named> = Vec::new();
    if let Some(p) = &a.json_summary_out {
        outputs.push(("--json-summary-out", p));
    }
    if let Some(p) = &metrics_file {
        outputs.push(("--metrics-out-dir", p));
    }
    crate::fs::check_outputs(&cli.inputs(&[("--csv", &a.csv)]), &outputs)?;
    if a.dry_run {
        // Validate by streaming: a row at a time, whatever the file's size.
        let t0 = std::time::Instant::now();
        let mut reader = WorkloadReader::open(&a.csv, a.limits.limits())?;
        while reader.next_row()?.is_some() {}
        let rows = reader.rows_read();
        let parse_seconds = t0.elapsed().as_secs_f64();
        let size_bytes = reader.bytes_read();
        let size_mib = size_bytes as f64 / f64::from(1u32 << 20);
        // The original's log line, word for word: scripts grep for it.
        log.info(&format!(
            "CSV validation successful ({rows} rows, {size_mib:.2} MiB): {}",
            a.csv.display()
        ));
        if cli.json {
            print_json(envelope(
                "run-csv",
                serde_json::json!({"status": "validated", "dry_run": true,
                    "csv": a.csv.display().to_string(), "mode": cli.mode.name(),
                    "rows": rows, "total_ops": rows, "size_bytes": size_bytes,
                    "size_mib": size_mib, "parse_seconds": parse_seconds}),
            ));
        } else {
            crate::outln!(
                "dry run: {} rows in {} are valid; nothing replayed",
                thousands(rows as f64),
                a.csv.display()
            );
        }
        return Ok(0);
    }
    let (trace, parse_seconds, csv_bytes, csv_checksum) = read_trace(&a.csv, a.limits.limits())?;
    log.info(&format!(
        "parsed {} rows from {} in {parse_seconds:.3} s",
        thousands(trace.len() as f64),
        a.csv.display()
    ));
    let metrics = match &a.metrics_out_dir {
        Some(dir) => Some(MetricsSink::create(dir, a.metrics_max_ticks)?),
        None => None,
    };
    let opts = ReplayOptions {
        latency_sample_k: a.latency_sample_k,
        latency_sample_every: a.latency_sample_every,
        latency_buckets: latency_buckets(a.latency_buckets, log),
        metrics,
        tick_interval: Duration::from_millis(a.metrics_interval_ms),
        compact_interval,
        // Only a config turns the guardrails on: chaining's load runs to
        // 1.0 by design, so the original's default 0.9 line would warn on
        // most healthy runs (formats.md §5).
        watchdog: app
            .path
            .is_some()
            .then(|| crate::bench::watchdog::Watchdog::new(app.watchdog, log)),
    };
    let outcome = with_map!(cli.mode, cli.hash_seed, cfg, |m| replay(m, &trace, opts))?;
    let mut summary = outcome.into_summary(
        cli.mode.name(),
        &a.csv.display().to_string(),
        cli.hash_seed,
        parse_seconds,
    );
    summary.csv_bytes = Some(csv_bytes);
    summary.csv_checksum = Some(csv_checksum);
    if let Some(path) = &a.json_summary_out {
        write_summary(path, &summary)?;
        log.info(&format!("summary written to {}", path.display()));
    }
    if cli.json {
        // Today's summary fields at the top level, and the original's shape
        // (`status`, the summary nested under `summary`) beside them.
        let body = serde_json::to_value(&summary).map_err(|e| Error::policy(e.to_string()))?;
        let mut out = envelope("run-csv", body.clone());
        if let serde_json::Value::Object(o) = &mut out {
            o.insert("status".into(), "completed".into());
            o.insert("summary".into(), body);
        }
        print_json(out);
    } else {
        print_run_summary(&summary);
    }
    Ok(0)
}

pub fn write_summary(path: &Path, summary: &RunSummary) -> Result<()> {
    let text = serde_json::to_string_pretty(summary).map_err(|e| Error::policy(e.to_string()))?;
    write_atomic(path, |w| {
        w.write_all(text.as_bytes())
            .and_then(|_| w.write_all(b"\n"))
            .map_err(|e| Error::io_at("cannot write", path, &e))
    })
}

fn print_run_summary(s: &RunSummary) {
    crate::outln!(
        "{}: {} ops in {:.3} s = {} ops/s (CPU {:.3} s = {} ops per CPU-second)",
        s.mode,
        thousands(s.total_ops as f64),
        s.elapsed_seconds,
        thousands(s.ops_per_second),
        s.cpu_seconds,
        thousands(s.ops_per_cpu_second)
    );
    crate::outln!(
        "backend {} | {} migrations | {} compactions | {} live keys | {}",
        s.final_backend,
        s.migrations_triggered,
        s.compactions_triggered,
        thousands(s.final_size as f64),
        human_bytes(s.map_memory_bytes)
    );
    let l = &s.latency_ms.overall;
    crate::outln!(
        "latency ms p50 {:.5} | p90 {:.5} | p99 {:.5} | p999 {:.5} | max {:.5} | checksum {}",
        l.p50,
        l.p90,
        l.p99,
        l.p999,
        l.max,
        s.final_checksum
    );
}

fn workload_dna(cli: &Cli, a: &WorkloadDnaArgs, log: Log) -> Result<i32> {
    use crate::workload::dna::{DnaOptions, analyze_file};
    let opts = DnaOptions {
        top_keys: a.top_keys,
        max_tracked_keys: a.max_tracked_keys,
        limits: a.limits.limits(),
    };
    if let Some(out) = &a.json_out {
        crate::fs::check_outputs(&cli.inputs(&[("--csv", &a.csv)]), &[("--json-out", out)])?;
    }
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let report = analyze_file(&a.csv, opts, &mut |_| {}, &cancel)?;
    if let Some(path) = &a.json_out {
        let text = if a.pretty {
            serde_json::to_string_pretty(&report)
        } else {
            serde_json::to_string(&report)
        }
        .map_err(|e| Error::policy(e.to_string()))?;
        write_atomic(path, |w| {
            w.write_all(text.as_bytes())
                .and_then(|_| w.write_all(b"\n"))
                .map_err(|e| Error::io_at("cannot write", path, &e))
        })?;
        log.info(&format!("DNA written to {}", path.display()));
    }
    if cli.json {
        // The original nests the report under `dna`; today's top-level
        // fields stay for scripts written against adhash.
        let body = serde_json::to_value(&report).map_err(|e| Error::policy(e.to_string()))?;
        let mut out = envelope("workload-dna", body.clone());
        if let serde_json::Value::Object(o) = &mut out {
            o.insert("dna".into(), body);
        }
        print_json(out);
    } else {
        crate::outln!(
            "{}",
            crate::workload::dna::render_text(&report).trim_end_matches('\n')
        );
    }
    Ok(0)
}

fn self_exe() -> Result<PathBuf> {
    std::env::current_exe().map_err(|e| Error::io(format!("cannot find the adhash binary: {e}")))
}

fn batch_cmd(cli: &Cli, app: &AppConfig, a: &BatchArgs, log: Log) -> Result<i32> {
    use crate::batch::{console, headless, spec};
    let exe = self_exe()?;
    if a.list {
        let entries = spec::bundled_specs(&spec::spec_folders(), a.python.as_deref(), &exe);
        if cli.json {
            let specs = console::list_json(&entries);
            print_json(envelope("batch", serde_json::json!({ "specs": specs })));
        } else {
            for line in console::list_lines(&entries) {
                crate::outln!("{line}");
            }
        }
        return Ok(0);
    }
    let Some(spec_path) = &a.spec else {
        return Err(Error::bad_input("give --spec PATH or --list"));
    };
    let mut spec = spec::load(spec_path, a.python.as_deref(), &exe)?;
    // Jobs run in the spec's folder: they get the config's absolute path.
    spec.config = app
        .path
        .as_ref()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()));
    spec.check_outputs()?;
    let opts = headless::Options {
        events_out: a.events_out.clone(),
        metrics_listen: a.metrics_listen,
        save_baseline: a.save_baseline.clone(),
    };
    headless::check(&spec, &opts)?;
    if let Some(path) = &cli.log_file {
        // Not a job's CSV, a report, a summary, nor the event log.
        let mut outputs: Vec<(&str, &Path)> = vec![("--log-file", path)];
        outputs.extend(a.events_out.as_deref().map(|p| ("--events-out", p)));
        spec.check_outputs_with(&outputs)?;
        crate::log::open_log_file(path, cli.log_max_bytes, cli.log_backup_count)?;
    }
    for w in &spec.warnings {
        log.warn(w);
    }
    if a.python.is_some()
        && !matches!(
            spec.cli,
            spec::CliProgram::Python { .. } | spec::CliProgram::PythonModule { .. }
        )
    {
        log.warn(&format!(
            "--python is ignored: the suite's CLI is {}, not a .py file",
            spec.cli.describe()
        ));
    }
    // Descendants that escape a job's process group come back to us.
    crate::batch::runner::become_subreaper();
    let cancel = crate::batch::CancelToken::new();
    {
        let c = cancel.clone();
        // SIGINT, SIGTERM and SIGHUP alike (ctrlc's "termination"). A second
        // signal is not needed: the first stops the running job's process
        // group and skips the rest; reports are still written.
        let _ = ctrlc::set_handler(move || {
            crate::errln!("\ncancelling: stopping the running job, reports will still be written");
            c.cancel();
        });
    }
    #[cfg(unix)]
    cancel.on_other_signals();
    let shown = console::Console::new(&spec, a.quiet, cli.json);
    let out = headless::run(&spec, &opts, &cancel, log, |ev| shown.show(ev))?;
    let ok = out.suite.ok_count();
    if cli.json {
        // `--json batch`: the outcome as one JSON object (formats.md §3).
        print_json(envelope(
            "batch",
            serde_json::json!({
                "spec": spec.path.display().to_string(),
                "reports": out.reports,
                "history": out.history.as_ref().map(|p| p.display().to_string()),
                "baseline": out.baseline.as_ref().map(|p| p.display().to_string()),
                "jobs": out.suite.jobs.len(),
                "jobs_ok": ok,
                "cancelled": out.suite.cancelled,
            }),
        ));
    } else {
        for p in out.reports.all() {
            crate::outln!("report: {}", p.display());
        }
        if let Some(b) = &out.baseline {
            crate::outln!("baseline: {}", b.display());
        }
    }
    crate::errln!(
        "{ok}/{} jobs ok in {:.2} s",
        out.suite.jobs.len(),
        out.suite.wall_seconds
    );
    Ok(if out.suite.all_ok() { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--metrics-listen`: a port alone is loopback, an address is taken as
    /// it is, and a host name resolves (issue 26, item 18).
    #[test]
    fn listen_addresses_take_ports_addresses_and_host_names() {
        assert_eq!(listen_addr("9898").unwrap().to_string(), "127.0.0.1:9898");
        assert_eq!(listen_addr("0.0.0.0:80").unwrap().to_string(), "0.0.0.0:80");
        let local = listen_addr("localhost:9898").unwrap();
        assert!(local.ip().is_loopback() && local.port() == 9898, "{local}");
        assert!(
            listen_addr("nope")
                .unwrap_err()
                .contains("is not PORT or HOST:PORT")
        );
        assert!(listen_addr("localhost:99999").is_err());
    }
}
