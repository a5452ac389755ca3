//! Mission Control: the desktop app (eframe/egui). It shows what the batch
//! runner and Workload DNA compute and never does their work on the GUI
//! thread: suites run on a worker thread and report over a channel, file
//! dialogs run on threads, and `App::logic` applies what arrived within a
//! small time budget per frame.

pub mod app;
pub mod dialogs;
pub mod dna_tab;
pub mod jobs;
pub mod palette;
pub mod suites;
pub mod widgets;

use std::path::PathBuf;

pub use crate::batch::runner::Waker;
pub use app::MissionControl;

use crate::error::{Error, Result};

pub const WINDOW_TITLE: &str = "Adaptive Hash Map – Mission Control";
/// Below this the layout cannot keep every control usable.
pub const MIN_WINDOW: [f32; 2] = [960.0, 600.0];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_expand_home_and_become_absolute() {
        let home = PathBuf::from(std::env::var_os("HOME").unwrap());
        assert_eq!(typed_path(" ~/r.md "), home.join("r.md"));
        assert_eq!(typed_path("~"), home);
        // `~user` is not expanded (no shell lookup); it stays a name.
        assert!(typed_path("~x/r.md").ends_with("~x/r.md"));
        assert!(typed_path("out/r.md").is_absolute());
        assert!(typed_path("a/../b/r.md").ends_with("b/r.md"));
        assert!(!typed_path("a/../b/r.md").to_string_lossy().contains(".."));
        assert_eq!(typed_path("  "), PathBuf::new());
    }
}

/// The app's tabs.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum Tab {
    #[default]
    Suites,
    Dna,
}

/// What to do with the shown run's report (the Suites tab's export).
#[derive(Debug, Clone, PartialEq)]
pub enum ReportAction {
    /// Write it to this path; the extension picks the format.
    Export(PathBuf),
    /// Ask for a path first.
    PickExport,
    /// Open its HTML in the browser.
    Open,
}

/// What the UI asks for; `MissionControl::logic` carries it out.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    SwitchTab(Tab),
    PickSpec,
    PickFolder,
    RefreshCatalog,
    OpenSpec(PathBuf),
    AddFolder(PathBuf),
    RemoveFolder(usize),
    /// Stop listing a spec file the user opened.
    RemoveSpecFile(usize),
    Run,
    Stop,
    Report(ReportAction),
    SelectJob(Option<usize>),
    LogFilter(String),
    JumpToLogEnd,
    CopyLog,
    AnalyzeCsv(PathBuf),
    /// Show an archived run (a history file), selecting its spec.
    OpenRun(PathBuf),
    /// Leave a reopened run for the spec's newest one.
    ShowLatestRun,
    LoadRecent(usize),
    /// Show the run, the spec's History, or the comparison.
    SuiteView(suites::SuiteView),
    /// Pick (or unpick) an archived run for comparison.
    TogglePick(PathBuf),
    /// Compare two archived runs of the selected spec (old, then new).
    CompareRuns {
        old: PathBuf,
        new: PathBuf,
    },
    /// Judge the shown comparison by wall or CPU time.
    CompareMetric(crate::batch::compare::Metric),
    /// Store an archived run as baseline `name` of its spec.
    SaveBaseline {
        run: PathBuf,
        name: String,
    },
    /// Write the shown comparison to this file (.md, .html or .json).
    ExportComparison(PathBuf),
    /// The answer to "replace a file this app did not write?".
    ConfirmReplace(bool),
    /// Add a job to (or take it from) the Timeline's overlay.
    ToggleOverlay(usize),
    /// Overlay this job's timelines (by index) in Compare.
    CompareTimeline(usize),
    /// Show (or hide) a job's runs under it in the jobs table.
    ToggleJobRuns(usize),
    /// Show this measured run on the Timeline (`None`: the median run).
    TimelineRun(Option<u32>),
    Dna(dna_tab::DnaCommand),
}

/// A path as the user typed it: trimmed, a leading `~` is their home
/// folder (as in a shell), and a relative path is made absolute against
/// the working folder so every message says exactly where a file went.
pub fn typed_path(text: &str) -> PathBuf {
    let t = text.trim();
    let expanded = match (t.strip_prefix('~'), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            PathBuf::from(home).join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(t),
    };
    if expanded.as_os_str().is_empty() {
        return expanded;
    }
    // `a/../b` reads as `b` in every message (lexically: no disk access).
    crate::batch::spec::tidy(&std::path::absolute(&expanded).unwrap_or(expanded))
}

/// How Mission Control starts (`adhash mission-control` flags).
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    pub spec: Option<PathBuf>,
    pub run: bool,
    pub dna: Option<PathBuf>,
    pub tab: Option<Tab>,
}

fn no_display_error(detail: &str) -> Error {
    Error::bad_input(format!(
        "no display found ({detail}): Mission Control needs a desktop session"
    ))
    .with_hint("run suites headless with `adhash batch --spec docs/examples/batch_baseline.toml`")
}

fn window_icon() -> Option<egui::IconData> {
    let bytes = include_bytes!("../../assets/icon.png");
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .ok()?
        .to_rgba8();
    let (width, height) = img.dimensions();
    Some(egui::IconData {
        rgba: img.into_raw(),
        width,
        height,
    })
}

/// Open the window and run until it closes. Tries the wgpu renderer, then
/// glow; without a display, or when no renderer works, returns a bad-input
/// error (exit 2) that points at `adhash batch`.
pub fn run(opts: LaunchOptions) -> Result<i32> {
    let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
    if !has_display {
        return Err(no_display_error(
            "neither DISPLAY nor WAYLAND_DISPLAY is set",
        ));
    }
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(WINDOW_TITLE)
        .with_app_id("adhash-mission-control")
        .with_inner_size([1400.0, 900.0])
        .with_min_inner_size(MIN_WINDOW);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let mut failures = Vec::new();
    // OpenGL (glow) first: without a GPU, Mesa's software GL draws a frame
    // for about a fifth of the CPU that wgpu on software Vulkan (lavapipe)
    // takes (measured: 11% vs 50% of a core during a suite run), and that
    // CPU is taken from the benchmark being measured. ADHASH_RENDERER=wgpu
    // tries wgpu first.
    let mut renderers = vec![eframe::Renderer::Glow, eframe::Renderer::Wgpu];
    if std::env::var("ADHASH_RENDERER").is_ok_and(|r| r.eq_ignore_ascii_case("wgpu")) {
        renderers.reverse();
    }
    for renderer in renderers {
        let options = eframe::NativeOptions {
            viewport: viewport.clone(),
            renderer,
            // Dithering is a few instructions for every pixel of every
            // frame: on a software rasteriser, CPU taken from the benchmark.
            dithering: false,
            ..Default::default()
        };
        let o = opts.clone();
        let result = eframe::run_native(
            "adhash-mission-control",
            options,
            Box::new(move |cc| Ok(Box::new(MissionControl::new(cc, o)))),
        );
        match result {
            Ok(()) => return Ok(0),
            Err(e) => failures.push(format!("{renderer:?}: {e}")),
        }
    }
    Err(no_display_error(&format!(
        "could not open a window: {}",
        failures.join("; ")
    )))
}
