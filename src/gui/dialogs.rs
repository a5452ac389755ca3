//! File dialogs behind a small trait: native dialogs (rfd) in the app, fixed
//! answers in tests. Dialogs always run on a worker thread; the GUI also
//! keeps an editable path field beside every dialog button, because rfd
//! answers `None` both on cancel and where no portal or zenity exists.

use std::path::PathBuf;

/// What a dialog was opened for; the answer comes back tagged with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogPurpose {
    OpenSpec,
    AddFolder,
    ExportReport,
    OpenCsv,
    SaveDnaJson,
    SaveHeatmapPng,
}

pub trait FileDialogs: Send + Sync {
    /// Blocking: called on a worker thread. `None` when cancelled or unavailable.
    fn ask(&self, purpose: DialogPurpose, suggested_name: &str) -> Option<PathBuf>;
}

/// Native dialogs through rfd.
pub struct NativeDialogs;

impl FileDialogs for NativeDialogs {
    fn ask(&self, purpose: DialogPurpose, suggested_name: &str) -> Option<PathBuf> {
        let d = rfd::FileDialog::new();
        match purpose {
            DialogPurpose::OpenSpec => d.add_filter("Batch spec", &["toml"]).pick_file(),
            DialogPurpose::AddFolder => d.pick_folder(),
            DialogPurpose::OpenCsv => d.add_filter("Workload CSV", &["csv"]).pick_file(),
            DialogPurpose::ExportReport => d
                .add_filter("Markdown", &["md"])
                .add_filter("HTML", &["html"])
                .add_filter("JSON", &["json"])
                .set_file_name(suggested_name)
                .save_file(),
            DialogPurpose::SaveDnaJson => d
                .add_filter("JSON", &["json"])
                .set_file_name(suggested_name)
                .save_file(),
            DialogPurpose::SaveHeatmapPng => d
                .add_filter("PNG", &["png"])
                .set_file_name(suggested_name)
                .save_file(),
        }
    }
}

/// Always answers with the same path (tests, scripted demos).
pub struct FixedDialogs(pub Option<PathBuf>);

impl FileDialogs for FixedDialogs {
    fn ask(&self, _: DialogPurpose, _: &str) -> Option<PathBuf> {
        self.0.clone()
    }
}
