//! The summary as a PDF, typeset by typst used as a library: a fixed template
//! (`summary.typ`) reads the [`Doc`] as JSON, so text from the vault is only ever shown, never
//! evaluated as markup. Fonts are the ones typst ships (Libertinus Serif), embedded in the
//! binary and in the PDF: nothing is read from the system, nothing is fetched.

use std::sync::LazyLock;

use serde_json::json;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use super::{Doc, Figure, t, typo};
use crate::error::{Error, Result};
use crate::lang::Lang;

const TEMPLATE: &str = include_str!("summary.typ");

/// Fonts and library are loaded once per process; each template is parsed once.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    Shared { library: LazyHash::new(Library::default()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
});

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("static path")))
}

/// A fixed typst source that reads its data from `/data.json`.
pub(crate) struct Template {
    main: FileId,
    data: FileId,
    source: Source,
}

impl Template {
    /// The template `source`, known to typst as `/name`.
    pub(crate) fn new(name: &str, source: &str) -> Template {
        let main = file_id(&format!("/{name}"));
        Template { main, data: file_id("/data.json"), source: Source::new(main, source.to_owned()) }
    }
}

static SUMMARY: LazyLock<Template> = LazyLock::new(|| Template::new("summary.typ", TEMPLATE));

struct SummaryWorld {
    shared: &'static Shared,
    template: &'static Template,
    data: Bytes,
}

impl World for SummaryWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }
    fn main(&self) -> FileId {
        self.template.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.template.main { Ok(self.template.source.clone()) } else { Err(FileError::AccessDenied) }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.template.data { Ok(self.data.clone()) } else { Err(FileError::AccessDenied) }
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The date printed is the one in the footer; the PDF carries no creation date.
        None
    }
}

/// What the template reads: every string already in the document's typography.
fn data(doc: &Doc) -> serde_json::Value {
    let lang = doc.lang;
    let ty = |s: &str| typo(s, lang);
    let sections: Vec<_> = doc
        .sections
        .iter()
        .map(|s| {
            json!({
                "title": ty(&s.title),
                "figure": match s.figure { Some(Figure::Needs) => Some("needs"), Some(Figure::Court) => Some("court"), None => None },
                "lines": s.lines.iter().map(|l| json!({"label": ty(&format!("{}:", l.label)), "text": ty(&l.text), "in_figure": l.in_figure})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "lang": if lang == Lang::En { "en" } else { "fr" },
        "title": ty(&doc.title),
        "banner": doc.banner.as_deref().map(ty),
        "sections": sections,
        "needs": {
            "legend": [t(lang, "summary.met"), t(lang, "summary.in_progress"), t(lang, "summary.unmet")],
            "rows": doc.needs_figure.iter().map(|(phase, met, progress, unmet)| json!({"phase": phase, "met": met, "progress": progress, "unmet": unmet})).collect::<Vec<_>>(),
        },
        "court": doc.court_figure.iter().map(|s| json!({"label": ty(&s.label), "date": s.date, "status": s.status, "done": s.done})).collect::<Vec<_>>(),
        "nothing": t(lang, "summary.nothing"),
        "footer": ty(&doc.footer),
        "page": t(lang, "summary.page"),
        "confidential": t(lang, "summary.confidential"),
    })
}

/// The summary as a PDF (US Letter, fonts embedded, tagged for screen readers).
pub fn pdf(doc: &Doc) -> Result<Vec<u8>> {
    typeset(&SUMMARY, &data(doc))
}

/// `template` typeset with `data` as its `/data.json`: a tagged PDF, nothing read from the
/// system.
pub(crate) fn typeset(template: &'static Template, data: &serde_json::Value) -> Result<Vec<u8>> {
    let world = SummaryWorld { shared: &SHARED, template, data: Bytes::new(data.to_string().into_bytes()) };
    let fail =
        |diags: &[typst::diag::SourceDiagnostic]| Error::Typeset(diags.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; "));
    let compiled: PagedDocument = typst::compile(&world).output.map_err(|d| fail(&d))?;
    let options = typst_pdf::PdfOptions { tagged: true, ..Default::default() };
    let bytes = typst_pdf::pdf(&compiled, &options).map_err(|d| fail(&d))?;
    // Typst memoizes across compilations: drop that cache, so memory does not grow with every
    // document and no layout of one person's summary outlives it in memory.
    typst::comemo::evict(0);
    Ok(bytes)
}
