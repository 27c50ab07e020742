//! The app's preferences: language, auto-lock delay, backup reminder, days without contact, reminders
//! (and when the vault was last locked). No case data; kept next to, not in,
//! the vault so that the unlock screen already speaks the worker's language.

use std::path::Path;

use relais_core::Lang;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub lang: Lang,
    /// Minutes without use before the vault locks itself.
    pub autolock_minutes: u32,
    /// Days without a backup before the dashboard reminds the worker.
    pub backup_reminder_days: u32,
    /// Days without contact before the dashboard flags a case.
    pub no_contact_days: u32,
    /// Minutes before an appointment its reminder shows.
    pub reminder_lead_minutes: u32,
    /// Reminders name the person (her alias); off by default: screens are shared and projected.
    pub reminders_name_persons: bool,
    /// When the vault was last locked (RFC 3339): the next unlock shows what fell since.
    pub locked_at: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: Lang::Fr,
            autolock_minutes: 5,
            backup_reminder_days: 7,
            no_contact_days: relais_core::reports::dashboard::NO_CONTACT_DAYS,
            reminder_lead_minutes: relais_core::reports::agenda::LEAD_MINUTES as u32,
            reminders_name_persons: false,
            locked_at: None,
        }
    }
}

/// Auto-lock bounds: at least a minute, at most a working hour.
pub const AUTOLOCK_RANGE: std::ops::RangeInclusive<u32> = 1..=60;

/// How long before an appointment its reminder may show: from 5 minutes to a day.
pub const REMINDER_LEAD_RANGE: std::ops::RangeInclusive<u32> = 5..=1440;

/// Backup reminder bounds: from every day to once a quarter.
pub const BACKUP_REMINDER_RANGE: std::ops::RangeInclusive<u32> = 1..=90;

impl Settings {
    /// The saved settings, or the defaults when there are none (or they cannot be read).
    pub fn load(dir: &Path) -> Settings {
        std::fs::read(dir.join("settings.json")).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn save(&self, dir: &Path) -> relais_core::Result<()> {
        std::fs::create_dir_all(dir)?;
        relais_core::vault::write_atomic(&dir.join("settings.json"), &serde_json::to_vec_pretty(self).expect("settings serialize"))
    }
}
