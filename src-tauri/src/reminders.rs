//! Reminders while the vault is open: every half minute the app asks the core which reminders
//! are due ([`relais_core::reports::agenda::due_at`]) and shows each not shown yet as a desktop
//! notification (freedesktop's, over the session bus). A notification names no one
//! unless the worker chose it in the settings; clicking one opens the case. Nothing runs while
//! the vault is locked: no case data is readable then, by design. At unlock, what fell while it
//! was locked is computed once and shown on the dashboard instead (the missed reminders).

use chrono::{DateTime, FixedOffset};
use relais_core::reports::agenda::{self, Reminder, ReminderKind};
use tauri::{AppHandle, Emitter, Manager};

use crate::{AppState, Hold};

/// How often the open vault is asked: half a minute (shorter in the end-to-end run).
fn period() -> std::time::Duration {
    crate::minute() / 2
}

fn now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// At unlock: the reminders that fell since the vault was last locked (none the first time),
/// kept for the dashboard; from now on the loop takes over.
pub(crate) fn on_unlock(state: &AppState, store: &relais_core::Store) {
    let now = now();
    let (since, lead) = {
        let s = state.settings.lock().expect("settings lock");
        (s.locked_at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()), i64::from(s.reminder_lead_minutes))
    };
    let missed = since.filter(|s| *s < now).map(|s| agenda::between(store, s, now, lead).unwrap_or_default()).unwrap_or_default();
    // The day's items missed are on the dashboard: not sent again. An appointment still to come
    // is also sent.
    let past = |r: &Reminder| relais_core::time::from_db(&r.at).is_none_or(|at| at <= now);
    let shown = missed.iter().filter(|r| r.kind != ReminderKind::Appointment || past(r)).map(Reminder::key);
    *state.reminded.lock().expect("reminders lock") = shown.collect();
    *state.missed.lock().expect("missed lock") = missed;
}

/// At lock: when it was, for the next unlock's missed reminders (a time, no case data).
pub(crate) fn on_lock(state: &AppState) {
    let mut s = state.settings.lock().expect("settings lock");
    s.locked_at = Some(now().to_rfc3339());
    let _best_effort = s.save(&state.config_dir);
    state.missed.lock().expect("missed lock").clear();
    state.reminded.lock().expect("reminders lock").clear();
}

/// The loop, in a thread of its own for the app's life.
pub(crate) fn run(app: AppHandle) {
    loop {
        std::thread::sleep(period());
        let state = app.state::<AppState>();
        let Ok(None) = state.admit(Hold::Short) else { continue };
        let (lead, names, lang) = {
            let s = state.settings.lock().expect("settings lock");
            (i64::from(s.reminder_lead_minutes), s.reminders_name_persons, s.lang)
        };
        let now = now();
        let due: Vec<Reminder> = {
            let session = state.session.lock().expect("session lock");
            let Some(session) = session.as_ref() else { continue };
            let Ok(due) = agenda::due_at(&session.store, now, lead) else { continue };
            let mut reminded = state.reminded.lock().expect("reminders lock");
            due.into_iter().filter(|r| reminded.insert(r.key())).collect()
        };
        for n in agenda::notifications(&due, now, lang, names) {
            show(&app, n, lang);
        }
    }
}

/// Shows one notification; a click on it raises the window and opens the case.
fn show(app: &AppHandle, n: agenda::Notification, lang: relais_core::Lang) {
    let open = lang.pick("Ouvrir le dossier", "Open the case");
    let body = markup_safe(&n.body);
    let shown = notify_rust::Notification::new().appname("Relais").summary(&n.title).body(&body).action("default", open).show();
    let Ok(handle) = shown else {
        eprintln!("Relais : pas de service de notifications / no notification service");
        return;
    };
    let app = app.clone();
    std::thread::spawn(move || {
        handle.wait_for_action(|action| {
            if action == "default" {
                if let Some(w) = app.get_webview_window("main") {
                    let _ = w.unminimize();
                    let _ = w.set_focus();
                }
                let _ = app.emit("open-case", n.person_id.clone());
            }
        });
    });
}

/// A notification's body as text: many notification services read it as markup (`<a href>`,
/// `<img src>`, `<b>`; the Desktop Notifications spec's "body-markup"), and an alias may be a
/// colleague's. `&`, `<` and `>` as entities show as themselves.
fn markup_safe(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_alias_in_a_notification_is_shown_as_text() {
        assert_eq!(
            super::markup_safe("Rendez-vous à 14 h — <a href=\"file:///x\">Héron</a> & <img src=x>"),
            "Rendez-vous à 14 h — &lt;a href=\"file:///x\"&gt;Héron&lt;/a&gt; &amp; &lt;img src=x&gt;"
        );
        assert_eq!(super::markup_safe("Colibri, 9\u{a0}h"), "Colibri, 9\u{a0}h");
    }
}
