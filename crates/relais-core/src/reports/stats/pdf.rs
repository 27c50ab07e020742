//! The period report as a PDF a funder accepts: the organisation's name and the period, the
//! suppression rule, two charts (needs by phase and status; persons taken in by month) and
//! every table and sum, as published. Typeset by the summary's typst world with its own fixed
//! template (`stats.typ`): the data arrives as JSON strings and numbers, never as markup, and a
//! hidden cell reaches the template as « < 11 », never as a number it could draw.

use std::sync::LazyLock;

use serde_json::{Value, json};

use super::{Cell, Stats};
use crate::error::Result;
use crate::lang::{Lang, tr};
use crate::reports::summary::pdf::{Template, typeset};
use crate::reports::summary::typo;

static STATS: LazyLock<Template> = LazyLock::new(|| Template::new("stats.typ", include_str!("stats.typ")));

fn cell(c: &Cell) -> Value {
    match c {
        Cell::Count(n) => json!(n),
        Cell::Suppressed | Cell::Withheld => Value::Null,
    }
}

/// What the template reads: labels already in the report's typography, each count a number or
/// null (hidden), each table's cells as the text printed.
fn data(stats: &Stats, footer: &str) -> Value {
    let lang = stats.lang;
    let ty = |s: &str| typo(s, lang);
    let t = |k: &str| ty(&tr(lang, k, &[]));
    let total = t("stats.total");
    let find = |id: &str| stats.tables.iter().find(|x| x.id == id);
    let needs = find("needs_by_phase_status").map(|x| {
        json!({
            "title": ty(&x.title),
            "legend": x.columns.iter().map(|c| ty(&c.label)).collect::<Vec<_>>(),
            "groups": x.rows.iter().zip(&x.cells).map(|(r, cells)| json!({"label": ty(&r.label), "cells": cells.iter().map(cell).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        })
    });
    let months = find("intakes_by_month").map(|x| {
        json!({
            "title": ty(&x.title),
            // The months only: the row of earlier intakes is in the table, not on the time axis.
            "bars": x.rows.iter().zip(&x.cells).filter(|(r, _)| r.code != super::count::EARLIER).map(|(r, c)| json!({"label": ty(&r.label), "n": cell(&c[0])})).collect::<Vec<_>>(),
        })
    });
    let tables: Vec<Value> = stats
        .tables
        .iter()
        .map(|x| {
            let mut head: Vec<String> = vec![String::new()];
            head.extend(x.columns.iter().map(|c| ty(&c.label)));
            if x.row_totals.is_some() {
                head.push(total.clone());
            }
            let mut rows: Vec<Vec<String>> = x
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut row = vec![ty(&r.label)];
                    row.extend(x.cells[i].iter().map(Cell::text));
                    if let Some(rt) = &x.row_totals {
                        row.push(rt[i].text());
                    }
                    row
                })
                .collect();
            if let Some(ct) = &x.column_totals {
                let mut row = vec![total.clone()];
                row.extend(ct.iter().map(Cell::text));
                if let (Some(tt), true) = (&x.total, x.row_totals.is_some()) {
                    row.push(tt.text());
                }
                rows.push(row);
            }
            json!({"title": ty(&x.title), "note": ty(&x.note), "head": head, "rows": rows, "has_total": x.column_totals.is_some()})
        })
        .collect();
    let sums: Vec<Value> = stats
        .sums
        .iter()
        .map(|g| {
            let rows: Vec<Vec<String>> =
                g.rows.iter().chain(std::iter::once(&g.total)).map(|s| vec![ty(&s.label), s.persons.text(), ty(&s.text)]).collect();
            json!({"title": ty(&g.title), "note": ty(&g.note), "head": ["", t("stats.persons"), t(&format!("stats.sum_{}", g.unit))], "rows": rows})
        })
        .collect();
    let m = &stats.median_days_to_first_service;
    let median = match m.days {
        Some(d) => {
            let n = if d.fract() == 0.0 { format!("{d:.0}") } else { format!("{d:.1}") };
            let n = if lang == Lang::Fr { n.replace('.', ",") } else { n };
            format!("{n} ({} {})", m.persons.text(), t("stats.persons").to_lowercase())
        }
        None => t("stats.median_hidden"),
    };
    json!({
        "lang": if lang == Lang::En { "en" } else { "fr" },
        "title": ty(&stats.title),
        "organisation": ty(&stats.organisation),
        "period": ty(&stats.period),
        "rule": t("stats.rule"),
        "hidden": format!("< {}", super::THRESHOLD),
        "hidden_legend": t("stats.chart_hidden"),
        "needs": needs,
        "months": months,
        "tables": tables,
        "sums": sums,
        "median": {"label": ty(&m.label), "text": median},
        "footer": ty(footer),
        "page": t("summary.page"),
    })
}

/// The line at the foot of each page: who printed the report and when.
pub fn printed_by(store: &crate::vault::store::Store, lang: Lang) -> Result<String> {
    let who = store.meta(crate::vault::store::Meta::OwnerName)?.unwrap_or_default();
    let when = crate::time::long_datetime(chrono::Utc::now(), lang);
    Ok(tr(lang, "stats.printed", &[("who", &who), ("when", &when)]))
}

/// The report as a PDF (US Letter, tagged); `footer` says who printed it and when.
pub fn pdf(stats: &Stats, footer: &str) -> Result<Vec<u8>> {
    typeset(&STATS, &data(stats, footer))
}
