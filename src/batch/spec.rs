//! The batch spec (formats.md §7): TOML → `BatchSpec`, strictly. Every error names
//! the spec file and, where it applies, the job and the field. Paths resolve
//! against the spec's folder, which is also every job's working directory.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::engine::Mode;
use crate::error::{Error, Result};

/// Default `timeout_s` of a job.
pub const DEFAULT_TIMEOUT_S: f64 = 600.0;
/// A spec larger than this is not read (formats.md §3).
pub const MAX_SPEC_BYTES: u64 = 16 * 1024 * 1024;
/// `max_seconds` when `until_ci_pct` is set without it: ten minutes.
pub const DEFAULT_MAX_SECONDS: f64 = 600.0;
/// The longest `timeout_s` (a day, formats.md §7): beyond it a timeout means nothing.
pub const MAX_TIMEOUT_S: f64 = 86_400.0;
pub const DEFAULT_REPORT: &str = "reports/batch_report.md";
/// The original tool's CLI, used when it sits beside a spec that names none.
pub const ORIGINAL_CLI: &str = "hashmap_cli.py";

/// The program that runs each job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliProgram {
    /// The running `adhash` itself (no `hashmap_cli` in the spec).
    SelfExe(PathBuf),
    /// A `.py` CLI run under an interpreter.
    Python {
        interpreter: String,
        script: PathBuf,
    },
    /// Any other file, executed directly.
    Executable(PathBuf),
    /// The original's module form, `hashmap_cli = "-m hashmap_cli"`: the
    /// interpreter runs a module it finds from the spec's folder; `args`
    /// are the words of the field (`-m`, the module, anything after).
    PythonModule {
        interpreter: String,
        args: Vec<String>,
    },
}

impl CliProgram {
    /// Program and leading arguments.
    pub fn argv(&self) -> (String, Vec<String>) {
        match self {
            CliProgram::SelfExe(p) | CliProgram::Executable(p) => {
                (p.display().to_string(), Vec::new())
            }
            CliProgram::Python {
                interpreter,
                script,
            } => (interpreter.clone(), vec![script.display().to_string()]),
            CliProgram::PythonModule { interpreter, args } => (interpreter.clone(), args.clone()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            CliProgram::SelfExe(p) => format!("{} (this adhash)", p.display()),
            CliProgram::Python {
                interpreter,
                script,
            } => format!("{interpreter} {}", script.display()),
            CliProgram::Executable(p) => p.display().to_string(),
            CliProgram::PythonModule { interpreter, args } => {
                format!("{interpreter} {}", args.join(" "))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobCommand {
    Profile,
    RunCsv,
}

impl JobCommand {
    pub fn name(self) -> &'static str {
        match self {
            JobCommand::Profile => "profile",
            JobCommand::RunCsv => "run-csv",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    pub name: String,
    pub command: JobCommand,
    /// As written in the spec (relative to the spec folder, the job's cwd).
    pub csv: String,
    pub mode: Mode,
    pub json_summary: Option<String>,
    pub latency_sample_k: Option<u64>,
    pub latency_sample_every: Option<u64>,
    pub metrics_out_dir: Option<String>,
    pub extra_args: Vec<String>,
    pub repeat: u32,
    /// Runs before the measured ones, discarded (formats.md §7).
    pub warmup: u32,
    pub timeout_s: f64,
}

impl JobSpec {
    /// Arguments after the CLI program (formats.md §7), given the summary path the
    /// runner will read (the spec's own, or one the runner chose).
    pub fn args(&self, summary: Option<&str>) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        match self.command {
            JobCommand::Profile => {
                a.extend(["profile".into(), "--csv".into(), self.csv.clone()]);
            }
            JobCommand::RunCsv => {
                a.extend([
                    "--mode".into(),
                    self.mode.name().into(),
                    "run-csv".into(),
                    "--csv".into(),
                    self.csv.clone(),
                ]);
                if let Some(s) = summary {
                    a.extend(["--json-summary-out".into(), s.into()]);
                }
                if let Some(k) = self.latency_sample_k {
                    a.extend(["--latency-sample-k".into(), k.to_string()]);
                }
                if let Some(n) = self.latency_sample_every {
                    a.extend(["--latency-sample-every".into(), n.to_string()]);
                }
                if let Some(d) = &self.metrics_out_dir {
                    a.extend(["--metrics-out-dir".into(), d.clone()]);
                }
            }
        }
        a.extend(self.extra_args.iter().cloned());
        a
    }

    /// Output paths the job writes (relative to the spec folder), whose
    /// parent folders the runner creates first.
    pub fn outputs(&self) -> Vec<&str> {
        let mut v = Vec::new();
        if let Some(s) = &self.json_summary {
            v.push(s.as_str());
        }
        if let Some(d) = &self.metrics_out_dir {
            v.push(d.as_str());
        }
        v
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchSpec {
    /// The spec file.
    pub path: PathBuf,
    /// Its folder: where paths resolve and jobs run.
    pub dir: PathBuf,
    pub cli: CliProgram,
    pub report: PathBuf,
    pub html_report: Option<PathBuf>,
    pub json_report: PathBuf,
    pub description: Option<String>,
    /// Archive every finished run (formats.md §9); default true.
    pub history: bool,
    /// Run repeats round-robin across jobs (formats.md §7); default false.
    pub interleave: bool,
    /// Measure until decisive: after `repeat`, add interleaved rounds until
    /// every job's 97% interval (of its ×std where a std job runs its CSV,
    /// else of its median) is narrower than ±this many percent…
    pub until_ci_pct: Option<f64>,
    /// …or this many seconds of suite time have passed.
    pub max_seconds: f64,
    pub jobs: Vec<JobSpec>,
    /// Things worth saying that do not stop the suite (ignored tables).
    pub warnings: Vec<String>,
    /// `adhash --config FILE batch`: every job gets `--config FILE` (the
    /// original's flag too), so the suite runs under that config.
    pub config: Option<PathBuf>,
}

impl BatchSpec {
    /// `path` resolved against the spec folder.
    pub fn resolve(&self, path: &str) -> PathBuf {
        tidy(&self.dir.join(path))
    }

    /// The program every job runs and the arguments before the job's own.
    pub fn program(&self) -> (String, Vec<String>) {
        let (prog, mut args) = self.cli.argv();
        if let Some(c) = &self.config {
            args.extend(["--config".into(), c.display().to_string()]);
        }
        (prog, args)
    }

    /// The whole command line of a job, shell-quoted, for previews and logs.
    pub fn command_line(&self, job: &JobSpec, summary: Option<&str>) -> String {
        let (prog, mut args) = self.program();
        args.extend(job.args(summary));
        std::iter::once(prog)
            .chain(args)
            .map(|a| shell_quote(&a))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Drop `.` and fold `dir/..` without touching the filesystem, so paths
/// read well in logs and reports ("docs/examples/../../reports/x.md" →
/// "reports/x.md"). A leading `..` stays.
pub fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// `s` as a shell would need it written.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Read and validate the spec at `path`. `python` is the interpreter for a
/// `.py` CLI; `self_exe` the adhash binary used when `hashmap_cli` is unset.
pub fn load(path: &Path, python: Option<&str>, self_exe: &Path) -> Result<BatchSpec> {
    let text = crate::fs::read_text_capped(path, MAX_SPEC_BYTES, "spec")?;
    parse(&text, path, python, self_exe).map_err(|e| {
        let ctx = format!("spec {}", path.display());
        e.context(ctx)
    })
}

/// Parse spec text as if read from `path` (errors carry no file name; `load` adds it).
pub fn parse(text: &str, path: &Path, python: Option<&str>, self_exe: &Path) -> Result<BatchSpec> {
    let root: Table = text.parse().map_err(|e: toml::de::Error| {
        // toml quotes the offending source line: shown cleaned and cut.
        Error::bad_input(format!(
            "invalid TOML: {}",
            crate::fmt::shown_block(e.to_string().trim(), 160)
        ))
    })?;
    // Other tools may share the file (`[meta]`, `[tool.x]`): their tables
    // are ignored, with a warning. A stray top-level value is an error.
    let mut warnings = Vec::new();
    for (key, value) in &root {
        match (key.as_str(), value) {
            ("batch", _) => {}
            (_, Value::Table(_)) => warnings.push(format!(
                "top-level table [{}] is not adhash's: ignored (the suite is under [batch])",
                quoted(key)
            )),
            _ => {
                return Err(Error::bad_input(format!(
                    "unknown top-level key `{}` (everything goes under [batch])",
                    quoted(key)
                )));
            }
        }
    }
    let batch = match root.get("batch") {
        Some(Value::Table(t)) => t,
        Some(_) => return Err(Error::bad_input("`batch` must be a table ([batch])")),
        None => {
            return Err(Error::bad_input("missing [batch] table")
                .with_hint("a spec starts with [batch] and lists [[batch.jobs]]"));
        }
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let f = Fields {
        table: batch,
        at: "[batch]".into(),
    };
    f.check_known(&[
        "hashmap_cli",
        "report",
        "html_report",
        "json_report",
        "description",
        "history",
        "interleave",
        "until_ci_pct",
        "max_seconds",
        "jobs",
    ])?;
    let cli = match f.string("hashmap_cli")? {
        // The original's default: a `hashmap_cli.py` beside the spec is the
        // CLI; only without one does the suite drive this adhash (formats.md §7).
        None if dir.join(ORIGINAL_CLI).is_file() => {
            let script = tidy(&dir.join(ORIGINAL_CLI));
            CliProgram::Python {
                interpreter: python.unwrap_or("python3").to_string(),
                script: std::path::absolute(&script).unwrap_or(script),
            }
        }
        None => CliProgram::SelfExe(self_exe.to_path_buf()),
        Some(p) if p.trim_start().starts_with("-m") => {
            // Split as a shell would, so a quoted word stays one argument.
            let args = shlex::split(&p)
                .filter(|w| w.len() >= 2 && w[0] == "-m" && !w[1].is_empty())
                .ok_or_else(|| {
                    f.err(
                        "hashmap_cli",
                        "in module form must be `-m MODULE` (then any arguments)",
                    )
                })?;
            CliProgram::PythonModule {
                interpreter: python.unwrap_or("python3").to_string(),
                args,
            }
        }
        Some(p) => {
            // Absolute: jobs run in the spec's folder, and a bare name
            // would otherwise be looked up on PATH.
            let joined = tidy(&dir.join(&p));
            let resolved = std::path::absolute(&joined).unwrap_or(joined);
            if !resolved.is_file() {
                return Err(Error::bad_input(format!(
                    "[batch] field `hashmap_cli`: no such file {}",
                    resolved.display()
                ))
                .with_hint("leave hashmap_cli unset to run jobs with this adhash"));
            }
            if p.ends_with(".py") {
                CliProgram::Python {
                    interpreter: python.unwrap_or("python3").to_string(),
                    script: resolved,
                }
            } else {
                CliProgram::Executable(resolved)
            }
        }
    };
    for field in ["report", "html_report", "json_report"] {
        match f.string(field)? {
            Some(p) if p.trim().is_empty() => {
                return Err(f.err(field, "is empty: give a file path"));
            }
            // `data/` names a folder: never a report written over a file `data`.
            Some(p) if p.ends_with('/') => {
                return Err(f.err(field, "ends with '/': it names a folder, not a file"));
            }
            _ => {}
        }
    }
    let report = tidy(&dir.join(f.string("report")?.unwrap_or_else(|| DEFAULT_REPORT.into())));
    let html_report = f.string("html_report")?.map(|p| tidy(&dir.join(p)));
    let json_report = match f.string("json_report")? {
        Some(p) => tidy(&dir.join(p)),
        None => report.with_extension("json"),
    };
    let description = f.string("description")?;
    let history = f.boolean("history")?.unwrap_or(true);
    let until_ci_pct = f.number_in("until_ci_pct", 0.0, 100.0, "a percentage")?;
    let max_seconds = f.number_in("max_seconds", 0.0, MAX_TIMEOUT_S, "a number of seconds")?;
    if max_seconds.is_some() && until_ci_pct.is_none() {
        return Err(f.err(
            "max_seconds",
            "bounds `until_ci_pct` (measure until decisive): set both, or neither",
        ));
    }
    // Extra rounds are interleaved rounds: that is what pairs a job with
    // its control.
    let interleave = match (f.boolean("interleave")?, until_ci_pct) {
        (Some(false), Some(_)) => {
            return Err(f.err(
                "interleave",
                "is false, but `until_ci_pct` adds interleaved rounds: drop `interleave = false`",
            ));
        }
        (i, until) => i.unwrap_or(false) || until.is_some(),
    };
    let jobs_value = batch.get("jobs").ok_or_else(|| {
        Error::bad_input("[batch] has no jobs").with_hint("add at least one [[batch.jobs]] table")
    })?;
    let Value::Array(items) = jobs_value else {
        return Err(Error::bad_input(
            "[batch] field `jobs` must be an array of tables ([[batch.jobs]])",
        ));
    };
    if items.is_empty() {
        return Err(Error::bad_input("[batch] has no jobs")
            .with_hint("add at least one [[batch.jobs]] table"));
    }
    let mut jobs: Vec<JobSpec> = Vec::new();
    // Linear in the number of jobs (a spec may have tens of thousands).
    // Names that read alike are one name: compared trimmed and in NFC.
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let job = parse_job(i + 1, item)?;
        let key: String =
            unicode_normalization::UnicodeNormalization::nfc(job.name.trim()).collect();
        if let Some(&first) = names.get(&key) {
            let other = &jobs[first];
            return Err(Error::bad_input(if other.name == job.name {
                format!(
                    "job #{} '{}': duplicate job name (names must be unique)",
                    i + 1,
                    quoted(&job.name)
                )
            } else {
                format!(
                    "job #{} '{}' and job #{} '{}' have names that read the same (spaces around them, or another Unicode form): names must be unique",
                    first + 1,
                    quoted(&other.name),
                    i + 1,
                    quoted(&job.name)
                )
            }));
        }
        names.insert(key, jobs.len());
        jobs.push(job);
    }
    let spec = BatchSpec {
        path: path.to_path_buf(),
        dir,
        cli,
        report,
        html_report,
        json_report,
        description,
        history,
        interleave,
        until_ci_pct,
        max_seconds: max_seconds.unwrap_or(DEFAULT_MAX_SECONDS),
        jobs,
        warnings,
        config: None,
    };
    spec.check_outputs()?;
    Ok(spec)
}

fn named(v: &[(String, PathBuf)]) -> Vec<crate::fs::Named<'_>> {
    v.iter().map(|(w, p)| (w.as_str(), p.as_path())).collect()
}

impl BatchSpec {
    /// formats.md §7: before any job runs, no output may be the spec, a job's
    /// CSV, the CLI, a folder, or another output of the suite (the repeats
    /// of one job share their summary); every output's folder must be
    /// creatable.
    pub fn check_outputs(&self) -> Result<()> {
        self.check_outputs_with(&[])
    }

    /// `check_outputs`, with more outputs of the run checked alike (what a
    /// flag adds, e.g. `--events-out`).
    pub fn check_outputs_with(&self, extra: &[(&str, &Path)]) -> Result<()> {
        let mut inputs: Vec<(String, PathBuf)> = vec![("the spec".into(), self.path.clone())];
        match &self.cli {
            CliProgram::Python { script: p, .. }
            | CliProgram::Executable(p)
            | CliProgram::SelfExe(p) => inputs.push(("the CLI".into(), p.clone())),
            // A module is found by the interpreter: no file to protect here.
            CliProgram::PythonModule { .. } => {}
        }
        if let Some(c) = &self.config {
            inputs.push(("--config".into(), c.clone()));
        }
        for j in &self.jobs {
            inputs.push((
                format!("job '{}' csv", quoted(&j.name)),
                self.resolve(&j.csv),
            ));
        }
        let mut outputs: Vec<(String, PathBuf)> = vec![("report".into(), self.report.clone())];
        if let Some(h) = &self.html_report {
            outputs.push(("html_report".into(), h.clone()));
        }
        outputs.push(("json_report".into(), self.json_report.clone()));
        for j in &self.jobs {
            if let Some(p) = &j.json_summary {
                outputs.push((
                    format!("job '{}' json_summary", quoted(&j.name)),
                    self.resolve(p),
                ));
            }
            if let Some(d) = &j.metrics_out_dir {
                outputs.push((
                    format!("job '{}' metrics_out_dir", quoted(&j.name)),
                    self.resolve(d).join(crate::bench::metrics::METRICS_FILE),
                ));
            }
        }
        outputs.extend(extra.iter().map(|(w, p)| (w.to_string(), p.to_path_buf())));
        crate::fs::check_outputs(&named(&inputs), &named(&outputs))
    }
}

/// Flags of the CLI that a job field sets: not allowed in `extra_args`.
const SPEC_FLAGS: [(&str, &str); 6] = [
    ("--mode", "mode"),
    ("--csv", "csv"),
    ("--json-summary-out", "json_summary"),
    ("--latency-sample-k", "latency_sample_k"),
    ("--latency-sample-every", "latency_sample_every"),
    ("--metrics-out-dir", "metrics_out_dir"),
];

fn parse_job(index: usize, item: &Value) -> Result<JobSpec> {
    let Value::Table(t) = item else {
        return Err(Error::bad_input(format!("job #{index}: must be a table")));
    };
    // Name the job by its name when it has a usable one.
    let name = match t.get("name") {
        None => format!("job-{index}"),
        Some(Value::String(s))
            if let Some(c) = s
                .chars()
                .find(|&c| c.is_control() || crate::log::is_bidi_control(c)) =>
        {
            // A name is shown on one line, as written: a newline in it
            // could forge a progress line, a bidi override reorder it.
            return Err(Error::bad_input(format!(
                "job #{index}: field `name` holds a control character (U+{:04X}): `{}`",
                c as u32,
                quoted(s)
            ))
            .with_hint("a job name is one line of visible text"));
        }
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_)) => {
            return Err(Error::bad_input(format!(
                "job #{index}: field `name` must not be empty"
            )));
        }
        Some(v) => {
            return Err(Error::bad_input(format!(
                "job #{index}: field `name` must be a string, got {}",
                v.type_str()
            )));
        }
    };
    let f = Fields {
        table: t,
        at: format!("job '{}'", quoted(&name)),
    };
    f.check_known(&[
        "name",
        "command",
        "csv",
        "mode",
        "json_summary",
        "latency_sample_k",
        "latency_sample_every",
        "metrics_out_dir",
        "extra_args",
        "repeat",
        "warmup",
        "timeout_s",
    ])?;
    let command = match f.string("command")?.as_deref() {
        Some("profile") => JobCommand::Profile,
        Some("run-csv") => JobCommand::RunCsv,
        Some(other) => {
            return Err(f.err(
                "command",
                &format!(
                    "unknown command '{}' (expected profile or run-csv)",
                    quoted(other)
                ),
            ));
        }
        None => return Err(f.err("command", "is required (profile or run-csv)")),
    };
    let csv = f
        .string("csv")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| f.err("csv", "is required"))?;
    let mode = match f.string("mode")? {
        None => Mode::Adaptive,
        Some(m) => Mode::parse(&m).ok_or_else(|| {
            f.err(
                "mode",
                &format!(
                    "unknown mode '{}' (expected fast-insert, fast-lookup, memory-tight, adaptive or std)",
                    quoted(&m)
                ),
            )
        })?,
    };
    let repeat = f.positive_int("repeat")?.unwrap_or(1);
    if repeat > 1000 {
        return Err(f.err("repeat", "must be at most 1000"));
    }
    let warmup = match t.get("warmup") {
        None => 0,
        Some(Value::Integer(i)) if (0..=1000).contains(i) => *i as u32,
        Some(v) => {
            return Err(f.err(
                "warmup",
                &format!(
                    "must be a whole number of runs from 0 to 1000, got {}",
                    show(v)
                ),
            ));
        }
    };
    let timeout_s = match t.get("timeout_s") {
        None => DEFAULT_TIMEOUT_S,
        Some(Value::Integer(i)) if *i > 0 && *i as f64 <= MAX_TIMEOUT_S => *i as f64,
        Some(Value::Float(x)) if *x > 0.0 && *x <= MAX_TIMEOUT_S => *x,
        Some(v) => {
            return Err(f.err(
                "timeout_s",
                &format!(
                    "must be a number of seconds in (0, {MAX_TIMEOUT_S}], got {}",
                    show(v)
                ),
            ));
        }
    };
    let extra_args = match t.get("extra_args") {
        None => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(f.err(
                    "extra_args",
                    &format!("must be a list of strings, found {}", show(other)),
                )),
            })
            .collect::<Result<_>>()?,
        Some(v) => {
            return Err(f.err(
                "extra_args",
                &format!("must be a list of strings, got {}", show(v)),
            ));
        }
    };
    // A flag the spec has a field for would make the report lie (it says
    // the field's value while the job ran the flag's).
    for a in &extra_args {
        let flag = a.split('=').next().unwrap_or(a);
        if let Some((_, field)) = SPEC_FLAGS.iter().find(|(f, _)| *f == flag) {
            return Err(f.err(
                "extra_args",
                &format!("must not set {flag}: use the job's `{field}` field instead"),
            ));
        }
    }
    Ok(JobSpec {
        name,
        command,
        csv,
        mode,
        json_summary: match f.string("json_summary")? {
            Some(p) if p.ends_with('/') => {
                return Err(f.err(
                    "json_summary",
                    "ends with '/': it names a folder, not a file",
                ));
            }
            p => p,
        },
        latency_sample_k: f.positive_int("latency_sample_k")?.map(u64::from),
        latency_sample_every: f.positive_int("latency_sample_every")?.map(u64::from),
        metrics_out_dir: f.string("metrics_out_dir")?,
        extra_args,
        repeat,
        warmup,
        timeout_s,
    })
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("string \"{}\"", quoted(s)),
        other => format!("{} {}", other.type_str(), quoted(&other.to_string())),
    }
}

/// Spec text quoted in a message: cleaned of control characters and cut,
/// so a hostile spec cannot flood or drive the terminal.
fn quoted(s: &str) -> String {
    crate::fmt::shown_text(s, 60)
}

/// Typed access to one table's fields with errors that say where.
struct Fields<'a> {
    table: &'a Table,
    at: String,
}

impl Fields<'_> {
    fn err(&self, field: &str, msg: &str) -> Error {
        Error::bad_input(format!("{}: field `{field}` {msg}", self.at))
    }

    fn check_known(&self, known: &[&str]) -> Result<()> {
        for key in self.table.keys() {
            if !known.contains(&key.as_str()) {
                // Jaro-Winkler favours a shared prefix: `latency_k` is
                // `latency_sample_k` with a piece left out.
                let closest = known
                    .iter()
                    .map(|k| (strsim::jaro_winkler(key, k), *k))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score >= 0.8);
                let guess =
                    closest.map_or(String::new(), |(_, k)| format!(": did you mean `{k}`?"));
                return Err(Error::bad_input(format!(
                    "{}: unknown field `{}`{guess} (known: {})",
                    self.at,
                    quoted(key),
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn string(&self, field: &str) -> Result<Option<String>> {
        match self.table.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.err(field, &format!("must be a string, got {}", show(v)))),
        }
    }

    fn boolean(&self, field: &str) -> Result<Option<bool>> {
        match self.table.get(field) {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b)),
            Some(v) => Err(self.err(field, &format!("must be true or false, got {}", show(v)))),
        }
    }

    /// A number (integer or float) in (`low`, `high`].
    fn number_in(&self, field: &str, low: f64, high: f64, what: &str) -> Result<Option<f64>> {
        let x = match self.table.get(field) {
            None => return Ok(None),
            Some(Value::Integer(i)) => *i as f64,
            Some(Value::Float(x)) => *x,
            Some(v) => {
                return Err(self.err(field, &format!("must be {what}, got {}", show(v))));
            }
        };
        if x.is_finite() && x > low && x <= high {
            Ok(Some(x))
        } else {
            Err(self.err(
                field,
                &format!("must be {what} in ({low}, {high}], got {x}"),
            ))
        }
    }

    fn positive_int(&self, field: &str) -> Result<Option<u32>> {
        match self.table.get(field) {
            None => Ok(None),
            Some(Value::Integer(i)) if *i >= 1 && *i <= i64::from(u32::MAX) => Ok(Some(*i as u32)),
            Some(v) => Err(self.err(
                field,
                &format!("must be a positive integer, got {}", show(v)),
            )),
        }
    }
}

/// A bundled spec found by `--list` / Mission Control.
#[derive(Debug, Clone)]
pub struct SpecEntry {
    pub path: PathBuf,
    /// The file's canonical path: its identity.
    pub canonical: PathBuf,
    /// The loaded spec, or why it does not load.
    pub spec: std::result::Result<BatchSpec, String>,
}

/// Folders searched for bundled specs: `docs/examples` under the current
/// folder, and the one of the checkout the running binary was built in
/// (found by walking up from the executable), so a developer edits the
/// repository's copies. When neither holds the bundled specs, the copies
/// written into the user's data folder (`examples.rs`) are listed too, so
/// an installed adhash or one built with an outside `CARGO_TARGET_DIR` has
/// them. Duplicates are dropped by `bundled_specs`.
pub fn spec_folders() -> Vec<PathBuf> {
    let is_checkout = |d: &Path| {
        super::examples::SPECS
            .iter()
            .any(|(name, _)| d.join(name).is_file())
    };
    // The current folder's is listed whatever it holds (the original's
    // `--list` shows a project's own docs/examples).
    let mut v: Vec<PathBuf> = vec![PathBuf::from(super::examples::SPEC_SUBFOLDER)];
    if let Ok(exe) = std::env::current_exe() {
        let near = exe
            .ancestors()
            .skip(1)
            .take(4)
            .map(|d| d.join(super::examples::SPEC_SUBFOLDER))
            .find(|d| is_checkout(d));
        v.extend(near);
    }
    if !v.iter().any(|d| is_checkout(d))
        && let Ok(folder) = super::examples::folder()
    {
        v.push(folder.clone());
    }
    v
}

/// Every `*.toml` in `folders`, loaded (invalid ones keep their error).
pub fn bundled_specs(folders: &[PathBuf], python: Option<&str>, self_exe: &Path) -> Vec<SpecEntry> {
    let mut out = Vec::new();
    // One entry per file, however many folders (relative or absolute) reach it.
    let mut seen = std::collections::HashSet::new();
    for folder in folders {
        let Ok(rd) = std::fs::read_dir(folder) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen.insert(canonical.clone()) {
                continue;
            }
            let spec = load(&path, python, self_exe).map_err(|e| e.detail);
            out.push(SpecEntry {
                path,
                canonical,
                spec,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOB: &str = "[[batch.jobs]]\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n";

    /// A spec in a fresh folder (where its outputs may go).
    struct Suite {
        dir: tempfile::TempDir,
    }

    impl Suite {
        fn new() -> Suite {
            Suite {
                dir: tempfile::tempdir().unwrap(),
            }
        }
        fn parse(&self, text: &str) -> Result<BatchSpec> {
            parse(
                text,
                &self.dir.path().join("s.toml"),
                Some("py3"),
                Path::new("/opt/adhash"),
            )
        }
        /// The error of `[batch]` + one job with `field` added.
        fn job_err(&self, field: &str) -> String {
            self.parse(&format!("[batch]\n{JOB}{field}\n"))
                .map(|_| ())
                .unwrap_err()
                .detail
        }
        fn job(&self, field: &str) -> JobSpec {
            let s = self.parse(&format!("[batch]\n{JOB}{field}\n"));
            s.unwrap_or_else(|e| panic!("{field}: {}", e.detail))
                .jobs
                .remove(0)
        }
    }

    /// Issue 26, items 14 and 16: a job name is one line of visible text,
    /// and two names that read the same are one name.
    #[test]
    fn names_are_one_visible_line_and_unique_as_read() {
        let s = Suite::new();
        let two = |a: &str, b: &str| {
            s.parse(&format!(
                "[batch]\n[[batch.jobs]]\nname = \"{a}\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n\
[[batch.jobs]]\nname = \"{b}\"\ncommand = \"run-csv\"\ncsv = \"w.csv\"\n"
            ))
        };
        for (bad, code) in [
            ("x\\n[2/2] y: ok", "U+000A"),
            ("a\\u0007", "U+0007"),
            ("a\\u202Eb", "U+202E"),
            ("a\\tb", "U+0009"),
        ] {
            let e = two(bad, "other").unwrap_err().detail;
            assert!(
                e.starts_with("job #1: field `name` holds a control character") && e.contains(code),
                "{bad}: {e}"
            );
        }
        for (a, b) in [(" a ", "a"), ("caf\\u00e9", "cafe\\u0301"), ("a", "a ")] {
            let e = two(a, b).unwrap_err().detail;
            assert!(
                e.contains("have names that read the same"),
                "{a:?} {b:?}: {e}"
            );
            assert!(e.contains("job #1") && e.contains("job #2"), "{e}");
        }
        assert!(
            two("a", "a")
                .unwrap_err()
                .detail
                .contains("duplicate job name")
        );
        assert!(
            two("café", "cafe").is_ok(),
            "different names stay different"
        );
    }

    #[test]
    fn numbers_are_checked_at_both_ends_of_their_range() {
        let s = Suite::new();
        assert_eq!(s.job("repeat = 1000").repeat, 1000);
        assert!(
            s.job_err("repeat = 1001")
                .contains("`repeat` must be at most 1000")
        );
        assert!(
            s.job_err("repeat = 0")
                .contains("must be a positive integer, got integer 0")
        );
        assert_eq!(s.job("").repeat, 1);
        assert_eq!(s.job("warmup = 0").warmup, 0);
        assert_eq!(s.job("warmup = 1000").warmup, 1000);
        assert_eq!(s.job("").warmup, 0);
        for bad in ["warmup = 1001", "warmup = -1", "warmup = \"2\""] {
            assert!(
                s.job_err(bad)
                    .contains("`warmup` must be a whole number of runs from 0 to 1000"),
                "{bad}"
            );
        }
        assert_eq!(s.job("timeout_s = 86400").timeout_s, 86_400.0);
        assert_eq!(s.job("timeout_s = 86400.0").timeout_s, 86_400.0);
        assert_eq!(s.job("timeout_s = 0.5").timeout_s, 0.5);
        assert_eq!(s.job("timeout_s = 1").timeout_s, 1.0);
        assert_eq!(s.job("").timeout_s, DEFAULT_TIMEOUT_S);
        for bad in [
            "timeout_s = 86401",
            "timeout_s = 86400.5",
            "timeout_s = 0",
            "timeout_s = 0.0",
            "timeout_s = -3",
            "timeout_s = nan",
            "timeout_s = \"60\"",
        ] {
            assert!(
                s.job_err(bad)
                    .contains("`timeout_s` must be a number of seconds in (0, 86400]"),
                "{bad}"
            );
        }
        assert_eq!(
            s.job("latency_sample_k = 4294967295").latency_sample_k,
            Some(4_294_967_295)
        );
        assert_eq!(
            s.job("latency_sample_every = 1").latency_sample_every,
            Some(1)
        );
        assert!(
            s.job_err("latency_sample_k = 4294967296")
                .contains("positive integer")
        );
        assert!(
            s.job_err("latency_sample_every = 0")
                .contains("`latency_sample_every` must be a positive integer")
        );
    }

    #[test]
    fn suite_fields_have_their_defaults_and_types() {
        let s = Suite::new();
        let d = s.dir.path();
        let spec = s.parse(&format!("[batch]\n{JOB}")).unwrap();
        assert!(spec.history && !spec.interleave);
        assert_eq!(spec.report, d.join(DEFAULT_REPORT));
        assert_eq!(spec.json_report, d.join("reports/batch_report.json"));
        assert_eq!((spec.html_report, spec.description), (None, None));
        assert_eq!(spec.cli, CliProgram::SelfExe("/opt/adhash".into()));
        assert_eq!(spec.dir, d);
        let spec = s
            .parse(&format!("[batch]\nhistory = false\ninterleave = true\nreport = \"out/./r.md\"\nhtml_report = \"out/r.html\"\ndescription = \"d\"\n{JOB}"))
            .unwrap();
        assert!(!spec.history && spec.interleave);
        assert_eq!(
            (spec.report, spec.json_report),
            (d.join("out/r.md"), d.join("out/r.json"))
        );
        assert_eq!(
            (spec.html_report, spec.description.as_deref()),
            (Some(d.join("out/r.html")), Some("d"))
        );
        let e = |t: &str| s.parse(t).unwrap_err().detail;
        assert!(
            e(&format!("[batch]\nhistory = \"yes\"\n{JOB}"))
                .contains("[batch]: field `history` must be true or false, got string \"yes\"")
        );
        assert!(
            e(&format!("[batch]\ninterleave = 1\n{JOB}"))
                .contains("`interleave` must be true or false, got integer 1")
        );
        // Measure until decisive: both keys, checked at their bounds; the
        // extra rounds are interleaved.
        let spec = s
            .parse(&format!(
                "[batch]\nuntil_ci_pct = 3\nmax_seconds = 60.5\n{JOB}"
            ))
            .unwrap();
        assert_eq!((spec.until_ci_pct, spec.max_seconds), (Some(3.0), 60.5));
        assert!(spec.interleave, "until_ci_pct interleaves");
        let spec = s
            .parse(&format!("[batch]\nuntil_ci_pct = 0.5\n{JOB}"))
            .unwrap();
        assert_eq!(spec.max_seconds, DEFAULT_MAX_SECONDS);
        assert_eq!(
            s.parse(&format!("[batch]\n{JOB}")).unwrap().until_ci_pct,
            None
        );
        assert!(
            s.parse(&format!("[batch]\nuntil_ci_pct = 100\n{JOB}"))
                .is_ok()
        );
        for (bad, want) in [
            (
                "until_ci_pct = 0",
                "`until_ci_pct` must be a percentage in (0, 100], got 0",
            ),
            ("until_ci_pct = 100.5", "must be a percentage in (0, 100]"),
            (
                "until_ci_pct = nan",
                "must be a percentage in (0, 100], got NaN",
            ),
            (
                "until_ci_pct = \"3\"",
                "`until_ci_pct` must be a percentage, got string",
            ),
            (
                "until_ci_pct = 3\nmax_seconds = 0",
                "`max_seconds` must be a number of seconds in (0, 86400]",
            ),
            (
                "until_ci_pct = 3\nmax_seconds = 86401",
                "in (0, 86400], got 86401",
            ),
            ("max_seconds = 60", "`max_seconds` bounds `until_ci_pct`"),
            (
                "until_ci_pct = 3\ninterleave = false",
                "`interleave` is false, but `until_ci_pct` adds interleaved rounds",
            ),
            ("until_ci = 3", "did you mean `until_ci_pct`?"),
        ] {
            let got = e(&format!("[batch]\n{bad}\n{JOB}"));
            assert!(got.contains(want), "{bad}: {got}");
        }
        for field in ["report", "html_report", "json_report"] {
            assert!(
                e(&format!("[batch]\n{field} = \" \"\n{JOB}"))
                    .contains(&format!("`{field}` is empty")),
                "{field}"
            );
        }
        assert!(e("batch = 5\n").contains("`batch` must be a table"));
        assert!(e("[batch]\njobs = 5\n").contains("`jobs` must be an array of tables"));
        assert!(e("[batch]\n").contains("[batch] has no jobs"));
        assert!(e("[batch]\njobs = [1]\n").contains("job #1: must be a table"));
        assert!(
            e(&format!("[batch]\n{JOB}[[batch.jobs]]\nname = 3\n"))
                .contains("job #2: field `name` must be a string, got integer")
        );
        assert!(
            e(&format!("[batch]\n{JOB}[[batch.jobs]]\nname = \" \"\n"))
                .contains("job #2: field `name` must not be empty")
        );
        assert!(
            e("[batch]\n[[batch.jobs]]\ncommand = \"run-csv\"\ncsv = \"  \"\n")
                .contains("`csv` is required")
        );
        assert!(e("[batch]\n[[batch.jobs]]\ncsv = \"w.csv\"\n").contains("`command` is required"));
        // Another tool's table: a warning naming it.
        let spec = s.parse(&format!("[meta]\nx = 1\n[batch]\n{JOB}")).unwrap();
        assert_eq!(spec.warnings.len(), 1);
        assert!(spec.warnings[0].contains("[meta]"), "{:?}", spec.warnings);
        // Jobs are named by position when unnamed; modes parse.
        let spec = s
            .parse(&format!(
                "[batch]\n{JOB}{JOB}mode = \"std\"\ncommand_x = 1\n"
            ))
            .map(|_| ())
            .unwrap_err();
        assert!(
            spec.detail
                .contains("job 'job-2': unknown field `command_x`: did you mean `command`?"),
            "{}",
            spec.detail
        );
        assert!(!s.job_err("zzzz = 1").contains("did you mean"));
        assert_eq!(s.job("mode = \"fast-insert\"").mode, Mode::FastInsert);
        assert_eq!(s.job("").mode, Mode::Adaptive);
        assert_eq!(s.job("").name, "job-1");
    }

    #[test]
    fn the_cli_field_picks_the_program() {
        let s = Suite::new();
        let d = s.dir.path();
        let cli = |v: &str| {
            s.parse(&format!("[batch]\nhashmap_cli = \"{v}\"\n{JOB}"))
                .map(|x| x.cli)
        };
        assert_eq!(
            cli("-m hashmap_cli --fast").unwrap(),
            CliProgram::PythonModule {
                interpreter: "py3".into(),
                args: vec!["-m".into(), "hashmap_cli".into(), "--fast".into()]
            }
        );
        for bad in ["-m", "-m ''", "-mx y", " -m"] {
            assert!(
                cli(bad)
                    .unwrap_err()
                    .detail
                    .contains("module form must be `-m MODULE`"),
                "{bad}"
            );
        }
        std::fs::write(d.join("tool.py"), "").unwrap();
        std::fs::write(d.join("tool"), "").unwrap();
        assert_eq!(
            cli("tool.py").unwrap(),
            CliProgram::Python {
                interpreter: "py3".into(),
                script: d.join("tool.py")
            }
        );
        assert_eq!(
            cli("./tool").unwrap(),
            CliProgram::Executable(d.join("tool"))
        );
        assert!(cli("missing").unwrap_err().detail.contains("no such file"));
        // Unset, with the original's CLI beside the spec: that one.
        std::fs::write(d.join(ORIGINAL_CLI), "").unwrap();
        assert_eq!(
            s.parse(&format!("[batch]\n{JOB}")).unwrap().cli,
            CliProgram::Python {
                interpreter: "py3".into(),
                script: d.join(ORIGINAL_CLI)
            }
        );
        // The programs' command lines.
        let py = CliProgram::Python {
            interpreter: "py3".into(),
            script: "/s/t.py".into(),
        };
        assert_eq!(py.argv(), ("py3".into(), vec!["/s/t.py".to_string()]));
        assert_eq!(py.describe(), "py3 /s/t.py");
        let exe = CliProgram::Executable("/s/t".into());
        assert_eq!(
            (exe.argv(), exe.describe()),
            (("/s/t".into(), vec![]), "/s/t".to_string())
        );
        let me = CliProgram::SelfExe("/a".into());
        assert_eq!(
            (me.argv(), me.describe()),
            (("/a".into(), vec![]), "/a (this adhash)".to_string())
        );
        let m = CliProgram::PythonModule {
            interpreter: "py".into(),
            args: vec!["-m".into(), "x".into()],
        };
        assert_eq!(
            (m.argv(), m.describe()),
            (
                ("py".into(), vec!["-m".to_string(), "x".to_string()]),
                "py -m x".to_string()
            )
        );
    }

    #[test]
    fn job_arguments_and_outputs_follow_the_fields() {
        let s = Suite::new();
        assert!(
            s.job_err("extra_args = [\"--mode\", \"std\"]")
                .contains("must not set --mode: use the job's `mode` field")
        );
        assert!(
            s.job_err("extra_args = [\"--csv=x.csv\"]")
                .contains("must not set --csv")
        );
        assert!(
            s.job_err("extra_args = \"--x\"")
                .contains("`extra_args` must be a list of strings, got string")
        );
        assert_eq!(
            s.job("extra_args = [\"--csvx\", \"--seed=3\"]").extra_args,
            ["--csvx", "--seed=3"]
        );
        let j = s.job("mode = \"std\"\njson_summary = \"o/s.json\"\nlatency_sample_k = 7\nlatency_sample_every = 3\nmetrics_out_dir = \"m\"\nextra_args = [\"--x\"]");
        assert_eq!(
            j.args(Some("sum.json")),
            [
                "--mode",
                "std",
                "run-csv",
                "--csv",
                "w.csv",
                "--json-summary-out",
                "sum.json",
                "--latency-sample-k",
                "7",
                "--latency-sample-every",
                "3",
                "--metrics-out-dir",
                "m",
                "--x"
            ]
        );
        assert_eq!(
            j.args(None)[..5],
            ["--mode", "std", "run-csv", "--csv", "w.csv"]
        );
        assert_eq!(j.outputs(), ["o/s.json", "m"]);
        assert_eq!(s.job("").outputs(), Vec::<&str>::new());
        let p = s.parse("[batch]\n[[batch.jobs]]\ncommand = \"profile\"\ncsv = \"w.csv\"\nextra_args = [\"--x\"]\n").unwrap();
        assert_eq!(
            p.jobs[0].args(Some("ignored")),
            ["profile", "--csv", "w.csv", "--x"]
        );
        assert_eq!(
            (JobCommand::Profile.name(), JobCommand::RunCsv.name()),
            ("profile", "run-csv")
        );
        let mut spec = s.parse(&format!("[batch]\n{JOB}")).unwrap();
        spec.jobs[0].csv = "my w.csv".into();
        spec.config = Some("/c/it's.toml".into());
        assert_eq!(
            spec.command_line(&spec.jobs[0], None),
            "/opt/adhash --config '/c/it'\\''s.toml' --mode adaptive run-csv --csv 'my w.csv'"
        );
        assert_eq!(spec.resolve("a/../b.csv"), s.dir.path().join("b.csv"));
    }

    #[test]
    fn paths_are_tidied_and_quoted_for_a_shell() {
        let t = |p: &str| tidy(Path::new(p));
        assert_eq!(t("a/./b/../c"), PathBuf::from("a/c"));
        assert_eq!(t("../x/../y"), PathBuf::from("../y"));
        assert_eq!(t("/../x"), PathBuf::from("/x"));
        assert_eq!(t("a/.."), PathBuf::from("."));
        assert_eq!(t("./"), PathBuf::from("."));
        assert_eq!(shell_quote("-_./=:,+@%aZ09"), "-_./=:,+@%aZ09");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn a_spec_is_read_up_to_16_mib() {
        let s = Suite::new();
        let path = s.dir.path().join("big.toml");
        // 2 MiB of comments: a large spec still loads.
        let pad = "# padding padding padding padding padding padding padding\n".repeat(36_000);
        std::fs::write(&path, format!("{pad}[batch]\n{JOB}")).unwrap();
        assert_eq!(
            load(&path, None, Path::new("/opt/adhash"))
                .unwrap()
                .jobs
                .len(),
            1
        );
        let huge = std::fs::File::create(&path).unwrap();
        huge.set_len(MAX_SPEC_BYTES + 1).unwrap();
        let e = load(&path, None, Path::new("/opt/adhash")).unwrap_err();
        assert!(e.detail.contains("big.toml"), "{}", e.detail);
        // A bare file name: the folder is the current one.
        let spec = parse(
            &format!("[batch]\n{JOB}"),
            Path::new("s.toml"),
            None,
            Path::new("/a"),
        )
        .unwrap();
        assert_eq!(spec.dir, PathBuf::from("."));
    }

    #[test]
    fn bundled_specs_are_listed_once_with_their_errors() {
        let s = Suite::new();
        let d = s.dir.path();
        std::fs::write(d.join("b.toml"), format!("[batch]\n{JOB}")).unwrap();
        std::fs::write(d.join("a.toml"), "[batch\n").unwrap();
        std::fs::write(d.join("notes.txt"), "").unwrap();
        let folders = [d.to_path_buf(), d.join("."), d.join("missing")];
        let found = bundled_specs(&folders, None, Path::new("/a"));
        let names: Vec<_> = found
            .iter()
            .map(|e| e.path.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(names, ["a.toml", "b.toml"]);
        assert!(found[0].spec.as_ref().unwrap_err().contains("invalid TOML"));
        assert_eq!(found[1].spec.as_ref().unwrap().jobs.len(), 1);
        assert_eq!(
            found[1].canonical,
            std::fs::canonicalize(d.join("b.toml")).unwrap()
        );
        assert_eq!(spec_folders()[0], PathBuf::from("docs/examples"));
    }
}
