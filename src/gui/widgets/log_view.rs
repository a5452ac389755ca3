//! The live log: a bounded ring buffer of tagged lines (model) and a view
//! that lays out only the visible rows, so a million lines stay smooth.

use std::collections::VecDeque;

use egui::{Color32, RichText, ScrollArea, TextStyle};

use crate::gui::palette;

use crate::batch::Stream;

/// Lines kept for the live log; older ones are dropped (and counted).
pub const LOG_CAPACITY: usize = 1_000_000;

#[derive(Debug, Clone)]
pub struct LogLine {
    pub job: usize,
    pub stream: Stream,
    pub text: String,
}

/// Lines with absolute sequence numbers, plus the sequence numbers that
/// pass the current filter, kept up to date as lines arrive and leave so
/// the view never scans the whole buffer per frame.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    /// Sequence number of `lines[0]`.
    first_seq: u64,
    dropped: u64,
    filter_text: String,
    filter_job: Option<usize>,
    visible: VecDeque<u64>,
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::with_capacity(LOG_CAPACITY)
    }
}

impl LogBuffer {
    pub fn with_capacity(capacity: usize) -> Self {
        LogBuffer {
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            first_seq: 0,
            dropped: 0,
            filter_text: String::new(),
            filter_job: None,
            visible: VecDeque::new(),
        }
    }

    pub fn clear(&mut self) {
        self.first_seq += self.lines.len() as u64;
        self.lines.clear();
        self.visible.clear();
        self.dropped = 0;
    }

    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.first_seq += 1;
            self.dropped += 1;
            while self.visible.front().is_some_and(|&s| s < self.first_seq) {
                self.visible.pop_front();
            }
        }
        let seq = self.first_seq + self.lines.len() as u64;
        if self.matches(&line) {
            self.visible.push_back(seq);
        }
        self.lines.push_back(line);
    }

    fn matches(&self, l: &LogLine) -> bool {
        self.filter_job.is_none_or(|j| j == l.job)
            && (self.filter_text.is_empty() || l.text.contains(&self.filter_text))
    }

    /// Change the filter (rebuilds the visible list once).
    pub fn set_filter(&mut self, text: &str, job: Option<usize>) {
        if text == self.filter_text && job == self.filter_job {
            return;
        }
        self.filter_text = text.to_string();
        self.filter_job = job;
        let first = self.first_seq;
        self.visible = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| self.matches(l))
            .map(|(i, _)| first + i as u64)
            .collect();
    }

    pub fn filter_job(&self) -> Option<usize> {
        self.filter_job
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The `i`-th line passing the filter.
    pub fn visible_line(&self, i: usize) -> Option<&LogLine> {
        let seq = *self.visible.get(i)?;
        self.lines.get((seq - self.first_seq) as usize)
    }

    /// The filtered lines as text, for the clipboard.
    pub fn visible_text(&self, job_names: &[String]) -> String {
        let mut s = String::new();
        for i in 0..self.visible.len() {
            if let Some(l) = self.visible_line(i) {
                let name = job_names.get(l.job).map_or("?", String::as_str);
                s.push_str(name);
                s.push_str(" | ");
                s.push_str(&l.text);
                s.push('\n');
            }
        }
        s
    }
}

/// Colours of the three streams.
pub fn stream_color(s: Stream) -> Color32 {
    match s {
        Stream::Stdout => palette::TEXT,
        Stream::Stderr => palette::WARN,
        Stream::Runner => palette::ACCENT,
    }
}

/// Draw the visible rows of `log`. Returns nothing; `jump_to_end` scrolls
/// to the newest line this frame.
/// `id` names the log's scroll state: each run keeps its own, and a run
/// never opens at another run's scroll position.
pub fn show(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    log: &LogBuffer,
    job_names: &[String],
    jump_to_end: bool,
) {
    let row_h = ui.text_style_height(&TextStyle::Monospace);
    let name_w = job_names.iter().map(|n| n.len()).max().unwrap_or(4).min(24);
    // A log shown for the first time opens at its tail (and then follows
    // it until the user scrolls up): a new scroll state would start at the
    // top.
    let seen = egui::Id::unique(("live_log_seen", &id));
    let first_time = !ui.data(|d| d.get_temp::<bool>(seen).unwrap_or(false));
    if first_time && log.visible_len() > 0 {
        ui.data_mut(|d| d.insert_temp(seen, true));
    }
    let mut area = ScrollArea::both()
        .id_salt(("live_log", id))
        .auto_shrink([false, false])
        .stick_to_bottom(true);
    // The offset of the last row, not f32::MAX: egui's row arithmetic
    // overflows on an infinite offset.
    if (jump_to_end || first_time) && log.visible_len() > 0 {
        let step = row_h + ui.spacing().item_spacing.y;
        area = area.vertical_scroll_offset(step * log.visible_len() as f32);
    }
    area.show_rows(ui, row_h, log.visible_len(), |ui, range| {
        for i in range {
            let Some(l) = log.visible_line(i) else {
                continue;
            };
            let name = job_names.get(l.job).map_or("?", String::as_str);
            let tag = match l.stream {
                Stream::Stdout => ' ',
                Stream::Stderr => '!',
                Stream::Runner => '*',
            };
            let text = format!("{name:<name_w$} {tag} {}", l.text);
            // One row a line, never wrapped: rows have a fixed height, so
            // a wrapped line would overlap its neighbours and the followed
            // tail would end in half a line. Long lines scroll sideways.
            ui.add(
                egui::Label::new(
                    RichText::new(text)
                        .monospace()
                        .color(stream_color(l.stream)),
                )
                .extend(),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(job: usize, text: &str) -> LogLine {
        LogLine {
            job,
            stream: Stream::Stdout,
            text: text.into(),
        }
    }

    #[test]
    fn ring_drops_oldest_and_counts() {
        let mut b = LogBuffer::with_capacity(3);
        for i in 0..5 {
            b.push(line(0, &format!("l{i}")));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.dropped(), 2);
        assert_eq!(b.visible_len(), 3);
        assert_eq!(b.visible_line(0).unwrap().text, "l2");
        assert_eq!(b.visible_line(2).unwrap().text, "l4");
    }

    #[test]
    fn filters_by_job_and_text_incrementally() {
        let mut b = LogBuffer::with_capacity(4);
        b.push(line(0, "alpha"));
        b.push(line(1, "beta"));
        b.set_filter("", Some(1));
        assert_eq!(b.visible_len(), 1);
        b.push(line(1, "gamma"));
        b.push(line(0, "delta"));
        assert_eq!(b.visible_len(), 2);
        b.set_filter("amm", Some(1));
        assert_eq!(b.visible_len(), 1);
        assert_eq!(b.visible_line(0).unwrap().text, "gamma");
        // Dropping old lines drops them from the filtered view too.
        b.set_filter("", None);
        for i in 0..4 {
            b.push(line(2, &format!("new{i}")));
        }
        assert_eq!(b.visible_len(), 4);
        assert_eq!(b.visible_line(0).unwrap().text, "new0");
        let text = b.visible_text(&["a".into(), "b".into(), "c".into()]);
        assert!(text.starts_with("c | new0\n"));
    }
}
