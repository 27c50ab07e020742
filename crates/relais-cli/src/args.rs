//! The command line, as clap types. Help texts are French first, then English.
// Parsed once per process: the size of the enum variants does not matter.
#![allow(clippy::large_enum_variant)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use relais_core::Lang;

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

#[derive(Parser)]
#[command(
    name = "relais",
    version,
    about = "Relais : dossiers chiffrés des personnes accompagnées. / Relais: encrypted case files of the persons accompanied.",
    after_help = "Codes de sortie / exit codes : 0 succès/success, 1 erreur/error, 2 usage, 3 phrase de passe incorrecte/wrong passphrase.\n\
                  Phrase de passe / passphrase : invite sans écho / no-echo prompt, RELAIS_PASSPHRASE, --passphrase-file."
)]
pub struct Cli {
    /// Dossier du coffre / vault folder [défaut/default: <données utilisateur>/relais/vault]
    #[arg(long, env = "RELAIS_VAULT", global = true)]
    pub vault: Option<PathBuf>,
    /// Lire la phrase de passe dans ce fichier (1re ligne) / read the passphrase from this file (1st line)
    #[arg(long, global = true, value_name = "FICHIER/FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Langue des messages / message language: fr | en
    #[arg(long, env = "RELAIS_LANG", global = true, default_value = "fr", value_parser = parse_lang)]
    pub lang: Lang,
    /// Sortie JSON / JSON output
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand)]
pub enum Cmd {
    /// Créer un coffre / create a vault
    Init(InitArgs),
    /// Changer la phrase de passe / change the passphrase
    Passwd(PasswdArgs),
    /// Nouvelle phrase de passe avec la clé de récupération de l'organisme / new passphrase with the organisation's recovery key
    Recover(RecoverArgs),
    /// Poser la clé de récupération de l'organisme (age1…) / set the organisation's recovery key (age1…)
    RecoveryKey(RecoveryKeyArgs),
    /// Rechiffrer le coffre sous une nouvelle clé (même phrase de passe) / re-encrypt the vault under a new key (same passphrase)
    RotateKey,
    /// Sauvegarde chiffrée du coffre entier dans un fichier / encrypted backup of the whole vault to one file
    Backup(BackupArgs),
    /// Restaurer une sauvegarde dans un nouveau dossier (--vault) / restore a backup into a new folder (--vault)
    Restore(RestoreArgs),
    /// Personnes accompagnées / persons accompanied
    #[command(subcommand)]
    Person(PersonCmd),
    /// Conservation des dossiers fermés (Loi 25) / retention of closed cases (Law 25)
    #[command(subcommand)]
    Retention(RetentionCmd),
    /// Mettre un enregistrement à la corbeille (30 jours) / move a record to the trash (30 days)
    Delete(DeleteArgs),
    /// Corbeille / trash
    #[command(subcommand)]
    Trash(TrashCmd),
    /// Registre des incidents de confidentialité (Loi 25) / register of confidentiality incidents (Law 25)
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// Besoins / needs
    #[command(subcommand)]
    Need(NeedCmd),
    /// Rendez-vous / appointments
    #[command(subcommand)]
    Appointment(AppointmentCmd),
    /// Références vers des organismes / referrals to organisations
    #[command(subcommand)]
    Referral(ReferralCmd),
    /// Répertoire des ressources / directory of resources
    #[command(subcommand)]
    Org(OrgCmd),
    /// Procédures judiciaires / court proceedings
    #[command(subcommand)]
    Court(CourtCmd),
    /// Étapes judiciaires / court milestones
    #[command(subcommand)]
    Milestone(MilestoneCmd),
    /// Mesures d'aide au témoignage / testimonial aids
    #[command(subcommand)]
    Aid(AidCmd),
    /// Échéances (IVAC, permis) / deadlines (IVAC, permits)
    #[command(subcommand)]
    Deadline(DeadlineCmd),
    /// Notes
    #[command(subcommand)]
    Note(NoteCmd),
    /// Chercher dans les alias et les notes / search aliases and notes
    Search(SearchArgs),
    /// Consentements / consents
    #[command(subcommand)]
    Consent(ConsentCmd),
    /// Plan de sécurité / safety plan
    #[command(subcommand)]
    Safety(SafetyCmd),
    /// Tâches / tasks
    #[command(subcommand)]
    Task(TaskCmd),
    /// Dépenses (fonds d'urgence…) / expenses (emergency fund…)
    #[command(subcommand)]
    Expense(ExpenseCmd),
    /// Documents d'un dossier (numérisations, formulaires signés…), chiffrés dans le coffre / a case's documents (scans, signed forms…), encrypted in the vault
    #[command(subcommand)]
    Doc(DocCmd),
    /// Tableau de bord / dashboard
    Dashboard(DashboardArgs),
    /// Rendez-vous de la semaine, avec les consignes de contact / the week's appointments, with the safe-contact flags
    Week(WeekArgs),
    /// Rappels dus maintenant (ce que l'app affiche), ou tombés depuis --since / reminders due now (what the app shows), or fallen since --since
    Reminders(RemindersArgs),
    /// Fichier de calendrier (.ics) pour un téléphone, NON CHIFFRÉ / calendar file (.ics) for a phone, NOT ENCRYPTED
    Calendar(CalendarArgs),
    /// « Ma journée » : une page à imprimer (rendez-vous, consignes de contact, échéances, tâches) / "My day": one page to print
    Day(DayArgs),
    /// Dossier complet d'une personne en JSON (droit d'accès, Loi 25) / a person's whole file as JSON (right of access, Law 25)
    ExportPerson(ExportPersonArgs),
    /// Résumé de suivi à imprimer (Markdown, HTML ou PDF) / follow-up summary to print (Markdown, HTML or PDF)
    Summary(SummaryArgs),
    /// Statistiques anonymes (aucun nombre sous 11) / anonymous statistics (no count under 11)
    Stats(StatsArgs),
    /// Registre des besoins de la coalition (nombres seulement, chiffrés pour la coordination) / the coalition's needs ledger (counts only, encrypted for the coordinator)
    #[command(subcommand)]
    Ledger(LedgerCmd),
    /// Journal d'audit / audit log
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Remplir le coffre de données fictives / fill the vault with fictional data
    Demo(DemoArgs),
    /// Votre identité (clés publiques, empreinte) / your identity (public keys, fingerprint)
    #[command(subcommand)]
    Identity(IdentityCmd),
    /// Carnet de contacts (collègues) / contact book (colleagues)
    #[command(subcommand)]
    Contact(ContactCmd),
    /// Créer un envoi chiffré et signé / make an encrypted, signed bundle
    Export(ExportArgs),
    /// Importer un envoi / import a bundle
    Import(ImportArgs),
    /// Conflits d'import à résoudre / import conflicts to resolve
    #[command(subcommand)]
    Conflicts(ConflictsCmd),
    /// Accusé de réception signé d'un transfert importé / signed receipt of an imported transfer
    Receipt(ReceiptArgs),
    /// Effacer les dossiers remis dont l'accusé de réception est revenu / erase handed-off cases whose receipt came back
    PurgeHandedOff,
    /// Dossier d'équipe qu'un outil de synchronisation réplique / team folder a sync engine replicates
    #[command(subcommand)]
    Team(TeamCmd),
    /// Boîte de réception du dossier d'équipe / team folder inbox
    Inbox(InboxArgs),
}

#[derive(Subcommand)]
pub enum TeamCmd {
    /// Afficher le dossier d'équipe et son réglage / show the team folder and its setting
    Show,
    /// Choisir le dossier d'équipe (un dossier existant) / set the team folder (an existing folder)
    SetFolder(FileArg),
    /// Ne plus utiliser de dossier d'équipe (les fichiers restent) / stop using a team folder (files stay)
    ClearFolder,
    /// Après l'import : move (vers traite/) ou delete / after import: move (to traite/) or delete
    Cleanup(CleanupArgs),
    /// Renvoyer l'accusé de réception d'un transfert importé / send again the receipt of an imported transfer
    Receipt(TeamReceiptArgs),
    /// Envoyer votre rapport d'équipe (pseudonymes, statuts, retards ; ni notes ni noms) par le dossier d'équipe / send your team report (aliases, statuses, overdue items; no notes, no names) through the team folder
    Report(TeamReportArgs),
    /// Envoyer le rapport d'équipe de lui-même (--every JOURS --to CONTACT, ou --off) / send the team report by itself (--every DAYS --to CONTACT, or --off)
    Schedule(TeamScheduleArgs),
    /// Vue d'équipe : pour chaque collègue, les dossiers échangés, les accusés attendus, les conflits / team view: for each colleague, the cases exchanged, receipts awaited, conflicts
    Overview,
}

#[derive(Args)]
pub struct CleanupArgs {
    /// move | delete
    pub cleanup: String,
}

#[derive(Args)]
pub struct TeamReportArgs {
    /// Destinataire (contact vérifié : votre superviseur·e) / recipient (a verified contact: your supervisor)
    #[arg(long)]
    pub to: String,
}

#[derive(Args)]
pub struct TeamScheduleArgs {
    /// Destinataire (contact vérifié) / recipient (a verified contact)
    #[arg(long, required_unless_present = "off", conflicts_with = "off")]
    pub to: Option<String>,
    /// Tous les combien de jours (1 à 90) / every how many days (1 to 90)
    #[arg(long, default_value_t = 7)]
    pub every: u32,
    /// Ne plus l'envoyer de lui-même / stop sending it by itself
    #[arg(long)]
    pub off: bool,
}

#[derive(Args)]
pub struct TeamReceiptArgs {
    /// Envoi reçu (défaut : le dernier transfert importé) / bundle received (default: the last transfer imported)
    pub bundle: Option<String>,
}

#[derive(Args)]
pub struct InboxArgs {
    #[command(subcommand)]
    pub cmd: Option<InboxCmd>,
}

#[derive(Subcommand)]
pub enum InboxCmd {
    /// Lister ce qui attend (défaut) / list what waits (default)
    List,
    /// Importer un envoi de la boîte, après aperçu / import a bundle from the inbox, after its preview
    Import(InboxImportArgs),
    /// Retirer un fichier de la boîte sans l'importer / take a file out of the inbox without importing it
    Discard(InboxFileArg),
}

#[derive(Args)]
pub struct InboxImportArgs {
    /// Nom du fichier dans la boîte / file name in the inbox
    pub file: String,
    /// Montrer ce qui changerait, sans rien changer / show what would change, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Accepter un·e expéditeur·rice dont l'empreinte n'a pas été vérifiée / accept a sender whose fingerprint was not checked
    #[arg(long)]
    pub accept_unverified: bool,
}

#[derive(Args)]
pub struct InboxFileArg {
    /// Nom du fichier dans la boîte / file name in the inbox
    pub file: String,
}

#[derive(Args)]
pub struct ReceiptArgs {
    /// Envoi reçu (défaut : le dernier transfert importé) / bundle received (default: the last transfer imported)
    pub bundle: Option<String>,
    /// Fichier texte (armure ASCII) / text file (ASCII armor)
    #[arg(long)]
    pub armor: bool,
    /// Fichier de sortie / output file
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Subcommand)]
pub enum IdentityCmd {
    /// Afficher / show
    Show,
    /// Écrire la clé age secrète (AGE-SECRET-KEY-1…) dans un fichier / write the secret age key to a file
    ExportAge(FileArg),
    /// Fiche de contact à donner aux collègues / contact card to give colleagues
    Card,
}

#[derive(Args)]
pub struct FileArg {
    /// Fichier / file
    pub file: PathBuf,
}

#[derive(Subcommand)]
pub enum ContactCmd {
    /// Ajouter / add
    Add(ContactAddArgs),
    /// Lister / list
    List,
    /// Marquer l'empreinte comme vérifiée en personne / mark the fingerprint as checked in person
    Verify(ContactRef),
    /// Retirer / remove
    Remove(ContactRef),
    /// Importer une fiche de contact (« - » : entrée standard) / import a contact card ("-": standard input)
    ImportCard(FileArg),
}

#[derive(Args)]
pub struct ContactAddArgs {
    /// Nom / name
    pub name: String,
    /// Clé age (age1…) / age key
    #[arg(long)]
    pub age: String,
    /// Clé de signature (64 chiffres hexadécimaux) / signing key (64 hex digits)
    #[arg(long)]
    pub sign: String,
    /// Organisme / organisation
    #[arg(long)]
    pub org: Option<String>,
}

#[derive(Args)]
pub struct ContactRef {
    /// Nom ou identifiant / name or id
    pub contact: String,
}

#[derive(Args)]
pub struct ExportArgs {
    /// Destinataire (contact, plusieurs possibles) / recipient (contact, repeatable)
    #[arg(long = "to", required = true)]
    pub to: Vec<String>,
    /// Personne (identifiant ou alias, plusieurs possibles) / person (id or alias, repeatable)
    #[arg(long = "person", conflicts_with = "all")]
    pub person: Vec<String>,
    /// Tous les dossiers ouverts / every open case
    #[arg(long)]
    pub all: bool,
    /// Transfert : votre copie devient en lecture seule / transfer: your copy becomes read-only
    #[arg(long, conflicts_with = "share")]
    pub transfer: bool,
    /// Partage : vous gardez le dossier (défaut) / share: you keep the case (default)
    #[arg(long)]
    pub share: bool,
    /// Fichier texte (armure ASCII) plutôt que binaire / text file (ASCII armor) instead of binary
    #[arg(long)]
    pub armor: bool,
    /// Fichier de sortie (.relais) / output file
    #[arg(short, long, required_unless_present = "team", conflicts_with = "team")]
    pub output: Option<PathBuf>,
    /// Déposer l'envoi dans le dossier d'équipe plutôt que dans un fichier / drop the bundle into the team folder instead of a file
    #[arg(long)]
    pub team: bool,
    /// Sans consentement qui nomme le destinataire : la raison écrite de passer outre (gardée au dossier, journalisée) / with no consent naming the recipient: the written reason to go ahead (kept in the case, audited)
    #[arg(long)]
    pub override_reason: Option<String>,
    /// Partage : joindre les documents des dossiers (un transfert les porte toujours) / share: include the cases' documents (a transfer always carries them)
    #[arg(long)]
    pub documents: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    /// Fichier .relais / .relais file
    pub file: PathBuf,
    /// Montrer ce qui changerait, sans rien changer / show what would change, change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Accepter un·e expéditeur·rice dont l'empreinte n'a pas été vérifiée / accept a sender whose fingerprint was not checked
    #[arg(long)]
    pub accept_unverified: bool,
}

#[derive(Subcommand)]
pub enum ConflictsCmd {
    /// Lister / list
    List,
    /// Résoudre / resolve
    Resolve(ResolveArgs),
}

#[derive(Args)]
pub struct ResolveArgs {
    /// Identifiant du conflit / conflict id
    pub id: String,
    /// mine (garder la vôtre / keep yours) | theirs (prendre la leur / take theirs)
    #[arg(long)]
    pub keep: String,
}

#[derive(Args)]
pub struct InitArgs {
    /// Votre nom (auteur des événements d'audit) / your name (actor of audit events)
    #[arg(long)]
    pub name: Option<String>,
    /// Votre organisme / your organisation
    #[arg(long)]
    pub org: Option<String>,
    /// Clé publique de récupération de l'organisme (age1…) / organisation recovery public key (age1…)
    #[arg(long, value_name = "age1…")]
    pub recovery_recipient: Option<String>,
}

#[derive(Args)]
pub struct PasswdArgs {
    /// Nouvelle phrase de passe dans ce fichier (sinon RELAIS_NEW_PASSPHRASE ou invite) / new passphrase from this file (else RELAIS_NEW_PASSPHRASE or prompt)
    #[arg(long)]
    pub new_passphrase_file: Option<PathBuf>,
}

#[derive(Args)]
pub struct RecoveryKeyArgs {
    /// Clé publique de récupération de l'organisme / the organisation's recovery public key
    #[arg(value_name = "age1…")]
    pub recipient: String,
}

#[derive(Args)]
pub struct RecoverArgs {
    /// Fichier d'identité de récupération (AGE-SECRET-KEY-1…) / recovery identity file
    #[arg(long)]
    pub identity: PathBuf,
    /// Nouvelle phrase de passe dans ce fichier / new passphrase from this file
    #[arg(long)]
    pub new_passphrase_file: Option<PathBuf>,
}

#[derive(Args)]
pub struct BackupArgs {
    /// Fichier de sauvegarde à écrire / backup file to write
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// Fichier de sauvegarde / backup file
    pub file: PathBuf,
    /// Phrase de passe perdue : l'identité de récupération (AGE-SECRET-KEY-1…) / lost passphrase: the recovery identity
    #[arg(long)]
    pub identity: Option<PathBuf>,
    /// Avec --identity : la nouvelle phrase de passe dans ce fichier / with --identity: the new passphrase from this file
    #[arg(long)]
    pub new_passphrase_file: Option<PathBuf>,
}

/// Fields of a person (all optional: `add` needs --alias).
#[derive(Args)]
pub struct PersonFieldArgs {
    /// Alias utilisé partout / alias used everywhere
    #[arg(long)]
    pub alias: Option<String>,
    /// Nom légal (sensible) / legal name (sensitive)
    #[arg(long)]
    pub legal_name: Option<String>,
    /// Date de naissance AAAA-MM-JJ / birth date YYYY-MM-DD
    #[arg(long)]
    pub birth_date: Option<String>,
    /// Téléphone / phone
    #[arg(long)]
    pub phone: Option<String>,
    /// Courriel / email
    #[arg(long)]
    pub email: Option<String>,
    /// Adresse / address
    #[arg(long)]
    pub address: Option<String>,
    /// Région / region
    #[arg(long)]
    pub region: Option<String>,
    /// Langues, séparées par des virgules / languages, comma-separated
    #[arg(long)]
    pub languages: Option<String>,
    /// Besoin d'un·e interprète (oui/non) / needs an interpreter (yes/no)
    #[arg(long)]
    pub interpreter_needed: Option<String>,
    /// Langue d'interprétation / interpretation language
    #[arg(long)]
    pub interpreter_language: Option<String>,
    /// Peut-on appeler sans danger (oui/non) / safe to call (yes/no)
    #[arg(long)]
    pub safe_to_call: Option<String>,
    /// Peut-on texter sans danger (oui/non) / safe to text (yes/no)
    #[arg(long)]
    pub safe_to_text: Option<String>,
    /// Peut-on laisser un message (oui/non) / safe to leave a message (yes/no)
    #[arg(long)]
    pub safe_to_leave_message: Option<String>,
    /// Types d'exploitation (codes, virgules) / exploitation types (codes, commas)
    #[arg(long)]
    pub exploitation_types: Option<String>,
    /// Moyens de contrôle (codes, virgules) / means of control (codes, commas)
    #[arg(long)]
    pub means_of_control: Option<String>,
    /// Secteur (travail forcé) / sector (forced labour)
    #[arg(long)]
    pub labour_sector: Option<String>,
    /// domestic | international
    #[arg(long)]
    pub origin: Option<String>,
    /// Statut d'immigration (sensible) / immigration status (sensitive)
    #[arg(long)]
    pub immigration_status: Option<String>,
    /// Date et heure d'accueil / intake date and time (AAAA-MM-JJTHH:MM)
    #[arg(long)]
    pub intake_at: Option<String>,
    /// Source de la référence / referral source
    #[arg(long)]
    pub referral_source: Option<String>,
    /// active | on_hold
    #[arg(long)]
    pub status: Option<String>,
    /// Avis de collecte donné le (Loi 25) / collection notice given on (Law 25)
    #[arg(long)]
    pub notice_given_on: Option<String>,
    /// Consentement au dossier donné par : person | parent / consent to the file given by
    #[arg(long)]
    pub consent_by: Option<String>,
    /// Signalement à la DPJ (date) / reported to the DPJ on
    #[arg(long)]
    pub dpj_reported_on: Option<String>,
    /// Niveau de risque : low | moderate | high | imminent / risk level
    #[arg(long)]
    pub risk_level: Option<String>,
    /// Risque évalué le / risk assessed on
    #[arg(long)]
    pub risk_reviewed_on: Option<String>,
    /// Réseau criminel impliqué (oui/non) / criminal network involved (yes/no)
    #[arg(long)]
    pub organised_crime: Option<String>,
    /// Ordonnance de non-contact ou conditions (oui/non) / no-contact order or conditions (yes/no)
    #[arg(long)]
    pub no_contact_order: Option<String>,
    /// Conditions de protection (sensible) / protection conditions (sensitive)
    #[arg(long)]
    pub protection_conditions: Option<String>,
    /// Conditions en vigueur jusqu'au / conditions in force until
    #[arg(long)]
    pub protection_until: Option<String>,
    /// Identité de genre (code, facultatif) / gender identity (code, optional)
    #[arg(long)]
    pub gender: Option<String>,
    /// Identité autochtone (code, facultatif) / Indigenous identity (code, optional)
    #[arg(long)]
    pub indigenous: Option<String>,
    /// Demande un·e interprète hors de sa communauté (oui/non) / asked for an interpreter from outside their community
    #[arg(long)]
    pub interpreter_outside_community: Option<String>,
}

#[derive(Subcommand)]
pub enum PersonCmd {
    /// Ajouter / add (prints the new id)
    Add(PersonFieldArgs),
    /// Lister / list
    List(PersonListArgs),
    /// Afficher le dossier / show the file
    Show(PersonRef),
    /// Modifier / edit
    Edit(PersonEditArgs),
    /// Fermer le dossier / close the case
    Close(PersonCloseArgs),
    /// Rouvrir un dossier fermé (arrête sa conservation) / reopen a closed case (stops its retention)
    Reopen(PersonReopenArgs),
    /// Détruire le dossier pour de bon (Loi 25) / destroy the case for good (Law 25)
    Destroy(PersonDestroyArgs),
    /// Dossiers qui pourraient être la même personne / files that may be the same person
    Duplicates(PersonRef),
    /// Besoins immédiats des 72 premières heures, évalués ou non / immediate needs of the first 72 hours, assessed or not
    Checklist(PersonChecklistArgs),
    /// Fusionner deux dossiers de la même personne / merge two files of the same person
    Merge(PersonMergeArgs),
}

#[derive(Args)]
pub struct PersonChecklistArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// « Maintenant » fixé (RFC 3339) / a fixed "now"
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Args)]
pub struct PersonMergeArgs {
    /// Le dossier gardé (identifiant ou alias) / the file kept (id or alias)
    pub keep: String,
    /// Le dossier fusionné dans l'autre puis retiré / the file merged into it, then removed
    pub merge: String,
    /// Confirmation : retapez le pseudonyme du dossier retiré / confirmation: type the removed file's alias again
    #[arg(long)]
    pub confirm: String,
}

#[derive(Args)]
pub struct PersonDestroyArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// retention (durée de conservation écoulée) | request (à la demande de la personne) / retention (period over) | request (at the person's request)
    #[arg(long, value_parser = ["retention", "request"])]
    pub policy: String,
    /// Confirmation : retapez le pseudonyme de la personne / confirmation: type the person's alias again
    #[arg(long)]
    pub confirm: String,
}

#[derive(Subcommand)]
pub enum RetentionCmd {
    /// Durée de l'organisme et dossiers fermés / the organisation's period and the closed cases
    Show(RetentionShowArgs),
    /// Durée de conservation de l'organisme, en années après la fermeture / the organisation's retention, in years after closure
    Set(RetentionSetArgs),
    /// Fin de conservation propre à un dossier, avec la raison / a case's own end of retention, with the reason
    Case(RetentionCaseArgs),
}

#[derive(Args)]
pub struct RetentionShowArgs {
    /// Seulement les dossiers à détruire / only the cases due for destruction
    #[arg(long)]
    pub due: bool,
    /// « Maintenant » fixé (RFC 3339) / a fixed "now"
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Args)]
pub struct RetentionSetArgs {
    /// Années (1 à 100) / years (1 to 100)
    #[arg(long)]
    pub years: u32,
}

#[derive(Args)]
pub struct RetentionCaseArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Dernier jour de conservation (AAAA-MM-JJ) / last day kept (YYYY-MM-DD)
    #[arg(long, required_unless_present = "clear")]
    pub until: Option<String>,
    /// Raison (obligatoire avec --until) / reason (required with --until)
    #[arg(long)]
    pub reason: Option<String>,
    /// Revenir à la durée de l'organisme / back to the organisation's period
    #[arg(long, conflicts_with_all = ["until", "reason"])]
    pub clear: bool,
}

#[derive(Subcommand)]
pub enum TrashCmd {
    /// Ce que contient la corbeille / what the trash holds
    List,
    /// Remettre en place / put back
    Restore(TrashRestoreArgs),
    /// Vider la corbeille maintenant (sinon : après 30 jours) / empty the trash now (else: after 30 days)
    Empty,
}

#[derive(Args)]
pub struct TrashRestoreArgs {
    /// Identifiant de l'entrée de la corbeille / trash entry id
    pub id: String,
}

#[derive(Args)]
pub struct DeleteArgs {
    /// Type : note, appointment, referral, need, consent, deadline, proceeding, milestone, testimonial_aid, safety_item, task, expense
    pub kind: String,
    /// Identifiant / id
    pub id: String,
}

#[derive(Subcommand)]
pub enum IncidentCmd {
    /// Consigner un incident / record an incident
    Add(IncidentArgs),
    /// Compléter ou corriger / complete or correct
    Edit(IncidentEditArgs),
    /// Lister / list
    List,
    /// Exporter le registre (CSV ou JSON) pour la personne responsable / export the register (CSV or JSON) for the privacy officer
    Export(IncidentExportArgs),
}

#[derive(Args)]
pub struct IncidentArgs {
    /// Date de l'incident (AAAA-MM-JJ) / date of the incident
    #[arg(long)]
    pub occurred: Option<String>,
    /// Date où il a été constaté / date it was discovered
    #[arg(long)]
    pub discovered: Option<String>,
    /// Description
    #[arg(long)]
    pub description: Option<String>,
    /// Personnes concernées (nombre, catégories) / persons concerned (number, categories)
    #[arg(long)]
    pub persons: Option<String>,
    /// Risque de préjudice sérieux : oui | non / risk of serious injury: yes | no
    #[arg(long)]
    pub serious_risk: Option<String>,
    /// Évaluation du risque / risk assessment
    #[arg(long)]
    pub assessment: Option<String>,
    /// Avis à la Commission d'accès à l'information, date / CAI notified on
    #[arg(long)]
    pub cai_notified: Option<String>,
    /// Avis aux personnes concernées, date / persons notified on
    #[arg(long)]
    pub persons_notified: Option<String>,
    /// Mesures prises / measures taken
    #[arg(long)]
    pub measures: Option<String>,
}

#[derive(Args)]
pub struct IncidentEditArgs {
    /// Identifiant / id
    pub id: String,
    #[command(flatten)]
    pub fields: IncidentArgs,
}

#[derive(Args)]
pub struct IncidentExportArgs {
    /// csv | json
    #[arg(long, value_parser = ["csv", "json"], default_value = "csv")]
    pub format: String,
    /// Fichier de sortie (sinon la sortie standard) / output file (else standard output)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct PersonRef {
    /// Identifiant ou alias / id or alias
    pub person: String,
}

#[derive(Args)]
pub struct PersonListArgs {
    /// Seulement ce statut, répétable / only this status, repeatable (active, on_hold, closed, handed_off)
    #[arg(long)]
    pub status: Vec<String>,
    /// Sauter les N premiers dossiers / skip the first N cases
    #[arg(long, value_name = "N")]
    pub offset: Option<u32>,
    /// Au plus N dossiers (avec --json : la page et le nombre total) / at most N cases (with --json: the page and the total)
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
}

#[derive(Args)]
pub struct PersonEditArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    #[command(flatten)]
    pub fields: PersonFieldArgs,
}

#[derive(Args)]
pub struct PersonCloseArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Raison de fermeture (code) / closure reason (code)
    #[arg(long)]
    pub reason: String,
    /// Note (obligatoire pour « other ») / note (required for "other")
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args)]
pub struct PersonReopenArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Pourquoi le dossier est rouvert (gardé à l'historique) / why the case is reopened (kept in its history)
    #[arg(long)]
    pub reason: String,
}

#[derive(Subcommand)]
pub enum NeedCmd {
    /// Ajouter un besoin / add a need
    Add(NeedAddArgs),
    /// Changer un besoin / change a need
    Set(NeedSetArgs),
}

#[derive(Args)]
pub struct NeedAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Code du besoin / need code (e.g. housing_emergency)
    pub code: String,
    /// immediate | short_medium | long_term
    #[arg(long)]
    pub phase: Option<String>,
    /// identified | in_progress | referred | met | unmet | declined | not_applicable
    #[arg(long)]
    pub status: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args)]
pub struct NeedSetArgs {
    /// Identifiant du besoin / need id
    pub id: String,
    /// Statut / status
    #[arg(long)]
    pub status: Option<String>,
    /// Phase
    #[arg(long)]
    pub phase: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args)]
pub struct AppointmentFieldArgs {
    /// Début / start (AAAA-MM-JJTHH:MM, heure locale / local time)
    #[arg(long)]
    pub at: Option<String>,
    /// Fin / end
    #[arg(long)]
    pub end: Option<String>,
    /// Type (code) / kind (code)
    #[arg(long)]
    pub kind: Option<String>,
    /// Lieu / place
    #[arg(long)]
    pub place: Option<String>,
    /// Organisme (identifiant ou nom) / organisation (id or name)
    #[arg(long)]
    pub org: Option<String>,
    /// Avec qui / with whom
    #[arg(long)]
    pub with: Option<String>,
    /// Besoin lié (identifiant) / linked need (id)
    #[arg(long)]
    pub need: Option<String>,
    /// Accompagné·e par l'intervenant·e (oui/non) / accompanied by the worker (yes/no)
    #[arg(long)]
    pub accompanied: Option<String>,
    /// Interprète (langue) / interpreter (language)
    #[arg(long)]
    pub interpreter: Option<String>,
    /// Transport
    #[arg(long)]
    pub transport: Option<String>,
    /// Interprète requis (oui/non) / interpreter needed (yes/no)
    #[arg(long)]
    pub interpreter_needed: Option<String>,
    /// Fournisseur d'interprétation / interpreting provider
    #[arg(long)]
    pub interpreter_provider: Option<String>,
    /// Interprète hors de sa communauté, vérifié (oui/non) / interpreter from outside the community, checked
    #[arg(long)]
    pub interpreter_outside_confirmed: Option<String>,
    /// planned | attended | no_show | cancelled | rescheduled
    #[arg(long)]
    pub status: Option<String>,
    /// Résultat / outcome
    #[arg(long)]
    pub outcome: Option<String>,
    /// Temps d'accompagnement, déplacements et attente compris / accompaniment time, travel and waiting included (« 3 h 30 »)
    #[arg(long)]
    pub accompaniment_time: Option<String>,
}

#[derive(Subcommand)]
pub enum AppointmentCmd {
    /// Ajouter / add
    Add(AppointmentAddArgs),
    /// Changer / change
    Set(AppointmentSetArgs),
}

#[derive(Args)]
pub struct AppointmentAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    #[command(flatten)]
    pub fields: AppointmentFieldArgs,
}

#[derive(Args)]
pub struct AppointmentSetArgs {
    /// Identifiant du rendez-vous / appointment id
    pub id: String,
    #[command(flatten)]
    pub fields: AppointmentFieldArgs,
}

#[derive(Subcommand)]
pub enum ReferralCmd {
    /// Ajouter / add
    Add(ReferralAddArgs),
    /// Changer le statut / change the status
    Status(ReferralStatusArgs),
}

#[derive(Args)]
pub struct ReferralAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Organisme (identifiant ou nom) / organisation (id or name)
    #[arg(long)]
    pub org: String,
    /// Besoin lié (identifiant) / linked need (id)
    #[arg(long)]
    pub need: Option<String>,
    /// Consentement (identifiant) / consent (id)
    #[arg(long)]
    pub consent: Option<String>,
    /// Statut initial / initial status [défaut/default: requested]
    #[arg(long)]
    pub status: Option<String>,
    /// Raison / reason
    #[arg(long)]
    pub reason: Option<String>,
    /// Date de suivi / follow-up date (AAAA-MM-JJ)
    #[arg(long)]
    pub follow_up: Option<String>,
    /// Montant (fonds d'urgence), ex. 125.50 / amount (emergency fund)
    #[arg(long)]
    pub amount: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
    /// Sans consentement qui nomme le destinataire : la raison écrite de passer outre (gardée au dossier, journalisée) / with no consent naming the recipient: the written reason to go ahead (kept in the case, audited)
    #[arg(long)]
    pub override_reason: Option<String>,
}

#[derive(Args)]
pub struct ReferralStatusArgs {
    /// Identifiant de la référence / referral id
    pub id: String,
    /// Nouveau statut / new status
    pub status: String,
    /// Raison (obligatoire pour rejected) / reason (required for rejected)
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Subcommand)]
pub enum OrgCmd {
    /// Ajouter / add
    Add(OrgAddArgs),
    /// Modifier (les champs donnés) / change (the fields given)
    Edit(OrgEditArgs),
    /// Lister / list
    List(OrgListArgs),
    /// Importer un CSV ; une case vide ne change rien / import a CSV; an empty cell changes nothing (name,kind,region,address,phone,email,website,languages,open_24_7,notes,needs)
    Import(OrgImportArgs),
}

#[derive(Args)]
pub struct OrgFieldArgs {
    /// Type (code) / kind (code)
    #[arg(long)]
    pub kind: Option<String>,
    /// Région / region
    #[arg(long)]
    pub region: Option<String>,
    /// Adresse / address
    #[arg(long)]
    pub address: Option<String>,
    /// Téléphone / phone
    #[arg(long)]
    pub phone: Option<String>,
    /// Courriel / email
    #[arg(long)]
    pub email: Option<String>,
    /// Site web / website
    #[arg(long)]
    pub website: Option<String>,
    /// Langues (virgules) / languages (commas)
    #[arg(long)]
    pub languages: Option<String>,
    /// Ouvert 24/7 (oui/non) / open 24/7 (yes/no)
    #[arg(long = "open-24-7")]
    pub open_24_7: Option<String>,
    /// Notes
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Args)]
pub struct OrgAddArgs {
    /// Nom / name
    pub name: String,
    #[command(flatten)]
    pub fields: OrgFieldArgs,
    /// Besoins servis (codes, virgules) / needs served (codes, commas)
    #[arg(long)]
    pub needs: Option<String>,
}

#[derive(Args)]
pub struct OrgEditArgs {
    /// Identifiant ou nom / id or name
    pub org: String,
    /// Nouveau nom / new name
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub fields: OrgFieldArgs,
}

#[derive(Args)]
pub struct OrgListArgs {
    /// Seulement les organismes qui servent ce besoin / only organisations serving this need
    #[arg(long)]
    pub need: Option<String>,
}

#[derive(Args)]
pub struct OrgImportArgs {
    /// Fichier CSV / CSV file
    pub file: PathBuf,
}

#[derive(Subcommand)]
pub enum CourtCmd {
    /// Ajouter une procédure / add a proceeding
    Add(CourtAddArgs),
}

#[derive(Args)]
pub struct CourtAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Numéro de dossier / file number
    #[arg(long)]
    pub file_number: Option<String>,
    /// Tribunal / court
    #[arg(long)]
    pub court: Option<String>,
    /// District judiciaire / judicial district
    #[arg(long)]
    pub district: Option<String>,
    /// complainant | witness | other
    #[arg(long)]
    pub role: Option<String>,
    /// Procureur·e (DPCP) / prosecutor
    #[arg(long)]
    pub prosecutor: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Subcommand)]
pub enum MilestoneCmd {
    /// Ajouter / add
    Add(MilestoneAddArgs),
    /// Changer / change
    Set(MilestoneSetArgs),
}

#[derive(Args)]
pub struct MilestoneAddArgs {
    /// Identifiant de la procédure / proceeding id
    pub proceeding: String,
    /// Code de l'étape / milestone code (e.g. trial)
    pub code: String,
    /// planned | done | cancelled
    #[arg(long)]
    pub status: Option<String>,
    /// Échéance / due date (AAAA-MM-JJ)
    #[arg(long)]
    pub due: Option<String>,
    /// Date de réalisation / date done
    #[arg(long)]
    pub done: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args)]
pub struct MilestoneSetArgs {
    /// Identifiant de l'étape / milestone id
    pub id: String,
    /// Statut / status
    #[arg(long)]
    pub status: Option<String>,
    /// Échéance / due date
    #[arg(long)]
    pub due: Option<String>,
    /// Date de réalisation / date done
    #[arg(long)]
    pub done: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Subcommand)]
pub enum AidCmd {
    /// Demander une mesure / request an aid
    Add(AidAddArgs),
    /// Décision / decision
    Set(AidSetArgs),
}

#[derive(Args)]
pub struct AidAddArgs {
    /// Identifiant de la procédure / proceeding id
    pub proceeding: String,
    /// s486_1 | s486_2 | s486_3 | s486_31 | s486_4
    pub code: String,
    /// requested | granted | refused | withdrawn
    #[arg(long)]
    pub status: Option<String>,
    /// Date de la demande / date requested
    #[arg(long)]
    pub requested: Option<String>,
}

#[derive(Args)]
pub struct AidSetArgs {
    /// Identifiant de la mesure / aid id
    pub id: String,
    /// Statut / status
    pub status: String,
    /// Date de décision / decision date
    #[arg(long)]
    pub decided: Option<String>,
}

#[derive(Subcommand)]
pub enum DeadlineCmd {
    /// Ajouter / add
    Add(DeadlineAddArgs),
    /// Changer / change
    Set(DeadlineSetArgs),
}

#[derive(Args)]
pub struct DeadlineAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// ivac_application | trp_expiry | work_permit_expiry | study_permit_expiry | other
    pub kind: String,
    /// Échéance / due date (AAAA-MM-JJ)
    #[arg(long)]
    pub due: String,
    /// Libellé / label
    #[arg(long)]
    pub label: Option<String>,
    /// Statut IVAC / IVAC status
    #[arg(long)]
    pub ivac_status: Option<String>,
    /// Issue d'une demande de permis / a permit application's outcome: filed | granted | renewed | refused | expired
    #[arg(long)]
    pub permit_status: Option<String>,
}

#[derive(Args)]
pub struct DeadlineSetArgs {
    /// Identifiant / id
    pub id: String,
    /// Échéance / due date
    #[arg(long)]
    pub due: Option<String>,
    /// Statut IVAC / IVAC status
    #[arg(long)]
    pub ivac_status: Option<String>,
    /// Issue d'une demande de permis / a permit application's outcome
    #[arg(long)]
    pub permit_status: Option<String>,
    /// Fait le / done on
    #[arg(long)]
    pub done: Option<String>,
}

#[derive(Subcommand)]
pub enum NoteCmd {
    /// Ajouter une note / add a note
    Add(NoteAddArgs),
}

#[derive(Args)]
pub struct NoteAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Texte (« - » : lire l'entrée standard) / text ("-": read standard input)
    #[arg(long)]
    pub text: String,
    /// contact | phone | visit | case_conference | other
    #[arg(long)]
    pub kind: Option<String>,
    /// Date et heure / date and time
    #[arg(long)]
    pub at: Option<String>,
    /// Temps d'intervention / intervention time (« 1 h 30 », 90 min)
    #[arg(long)]
    pub minutes: Option<String>,
}

#[derive(Args)]
pub struct SearchArgs {
    /// Mots cherchés / words to search
    pub query: String,
    /// Résultats au plus / at most this many results
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

#[derive(Subcommand)]
pub enum ConsentCmd {
    /// Ajouter / add
    Add(ConsentAddArgs),
    /// Retirer / withdraw
    Withdraw(ConsentWithdrawArgs),
}

#[derive(Args)]
pub struct ConsentAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Ce qui peut être communiqué / what may be shared
    #[arg(long)]
    pub scope: String,
    /// written | verbal
    #[arg(long)]
    pub method: String,
    /// Organisme destinataire / recipient organisation
    #[arg(long)]
    pub org: Option<String>,
    /// Autre destinataire / other recipient
    #[arg(long)]
    pub recipient: Option<String>,
    /// Début / from (AAAA-MM-JJ)
    #[arg(long)]
    pub from: Option<String>,
    /// Fin / to (AAAA-MM-JJ)
    #[arg(long)]
    pub to: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Args)]
pub struct ConsentWithdrawArgs {
    /// Identifiant du consentement / consent id
    pub id: String,
    /// Date du retrait / withdrawal date [défaut/default: aujourd'hui/today]
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Subcommand)]
pub enum SafetyCmd {
    /// Ajouter un élément au plan de sécurité / add a safety plan item
    Add(SafetyAddArgs),
}

#[derive(Args)]
pub struct SafetyAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Texte / text
    #[arg(long)]
    pub text: String,
    /// Date de révision / review date
    #[arg(long)]
    pub review: Option<String>,
}

#[derive(Subcommand)]
pub enum DocCmd {
    /// Joindre un fichier au dossier d'une personne / attach a file to a person's case
    Add(DocAddArgs),
    /// Lister les documents d'une personne / list a person's documents
    List(PersonRef),
    /// Écrire une copie NON CHIFFRÉE d'un document / write an UNENCRYPTED copy of a document
    Get(DocGetArgs),
    /// Changer le titre, le type, la date ou le rattachement (jamais le contenu) / change the title, kind, date or link (never the content)
    Edit(DocEditArgs),
    /// Mettre un document à la corbeille (30 jours) / move a document to the trash (30 days)
    Remove(DocRef),
}

#[derive(Args)]
pub struct DocAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Le fichier à joindre (PDF, JPEG, PNG ou tout autre, gardé tel quel) / the file to attach (PDF, JPEG, PNG or any other, kept as is)
    pub file: PathBuf,
    /// Titre / title
    #[arg(long)]
    pub title: String,
    /// Type / kind: identity | consent_form | ivac | immigration | court | health | other
    #[arg(long, default_value = "other")]
    pub kind: String,
    /// Date du document / date of the document (AAAA-MM-JJ)
    #[arg(long)]
    pub on: Option<String>,
    /// Consentement auquel il se rattache / consent it goes with (id)
    #[arg(long)]
    pub consent: Option<String>,
    /// Échéance à laquelle il se rattache / deadline it goes with (id)
    #[arg(long)]
    pub deadline: Option<String>,
    /// Procédure judiciaire à laquelle il se rattache / court proceeding it goes with (id)
    #[arg(long)]
    pub proceeding: Option<String>,
}

#[derive(Args)]
pub struct DocEditArgs {
    /// Identifiant du document / document id
    pub id: String,
    /// Titre / title
    #[arg(long)]
    pub title: Option<String>,
    /// Type / kind: identity | consent_form | ivac | immigration | court | health | other
    #[arg(long)]
    pub kind: Option<String>,
    /// Date du document (AAAA-MM-JJ ; vide pour l'effacer) / date of the document (empty to clear)
    #[arg(long)]
    pub on: Option<String>,
}

#[derive(Args)]
pub struct DocGetArgs {
    /// Identifiant du document / document id
    pub id: String,
    /// Où écrire la copie (non chiffrée) / where to write the (unencrypted) copy
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Args)]
pub struct DocRef {
    /// Identifiant du document / document id
    pub id: String,
}

#[derive(Subcommand)]
pub enum ExpenseCmd {
    /// Ajouter une dépense / add an expense
    Add(ExpenseAddArgs),
}

#[derive(Args)]
pub struct ExpenseAddArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Montant en dollars / amount in dollars (« 120,50 », 120.50)
    #[arg(long)]
    pub amount: String,
    /// Fonds / fund: emergency | organisation | program | other
    #[arg(long)]
    pub fund: String,
    /// Catégorie / category: bus_ticket | travel_ticket | taxi | lodging | phone_card | food | clothing | hygiene | documents | other
    #[arg(long)]
    pub category: String,
    /// Date (AAAA-MM-JJ ; aujourd'hui par défaut / today by default)
    #[arg(long)]
    pub on: Option<String>,
    /// Note
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Subcommand)]
pub enum TaskCmd {
    /// Ajouter / add
    Add(TaskAddArgs),
    /// Marquer comme faite / mark done
    Done(TaskDoneArgs),
}

#[derive(Args)]
pub struct TaskAddArgs {
    /// Identifiant ou alias (facultatif) / id or alias (optional)
    pub person: Option<String>,
    /// Titre / title
    #[arg(long)]
    pub title: String,
    /// Échéance / due date (AAAA-MM-JJ)
    #[arg(long)]
    pub due: Option<String>,
}

#[derive(Args)]
pub struct TaskDoneArgs {
    /// Identifiant de la tâche / task id
    pub id: String,
}

#[derive(Args)]
pub struct DashboardArgs {
    /// « Maintenant » fixé (RFC 3339, ex. 2026-12-03T09:00:00-05:00) / a fixed "now"
    #[arg(long)]
    pub now: Option<String>,
    /// Jours sans contact signalés (7 à 365) / days without contact flagged (7 to 365)
    #[arg(long, default_value_t = relais_core::reports::dashboard::NO_CONTACT_DAYS)]
    pub no_contact_days: u32,
}

#[derive(Args)]
pub struct RemindersArgs {
    /// Les rappels tombés depuis (RFC 3339), comme les rappels manqués à l'ouverture / the reminders fallen since (RFC 3339), like the missed ones at unlock
    #[arg(long)]
    pub since: Option<String>,
    /// Fin de la période, « maintenant » (RFC 3339) / end of the span, "now"
    #[arg(long)]
    pub now: Option<String>,
    /// Minutes avant un rendez-vous / minutes before an appointment
    #[arg(long, default_value_t = relais_core::reports::agenda::LEAD_MINUTES)]
    pub lead: i64,
    /// Nommer les personnes (alias) dans les notifications / name persons (alias) in the notifications
    #[arg(long)]
    pub names: bool,
}

#[derive(Args)]
pub struct CalendarArgs {
    /// Fichier .ics à écrire / .ics file to write
    #[arg(short, long)]
    pub output: PathBuf,
    /// Premier jour (AAAA-MM-JJ ; défaut : aujourd'hui) / first day (default: today)
    #[arg(long)]
    pub from: Option<String>,
    /// Dernier jour (défaut : 90 jours plus tard) / last day (default: 90 days later)
    #[arg(long)]
    pub to: Option<String>,
    /// Mettre l'alias de la personne dans les titres / put the person's alias in the titles
    #[arg(long)]
    pub with_alias: bool,
    /// Mettre le lieu des rendez-vous / include the appointments' place
    #[arg(long)]
    pub with_place: bool,
}

#[derive(Args)]
pub struct DayArgs {
    /// Le jour (AAAA-MM-JJ ; défaut : aujourd'hui) / the day (default: today)
    #[arg(long)]
    pub day: Option<String>,
    /// md | html | pdf
    #[arg(long, default_value = "pdf")]
    pub format: String,
    /// Fichier de sortie (sinon la sortie standard, sauf en PDF) / output file (else standard output, except PDF)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct WeekArgs {
    /// Un jour de la semaine voulue (AAAA-MM-JJ ; défaut : aujourd'hui) / a day of the wanted week (default: today)
    #[arg(long)]
    pub day: Option<String>,
    /// « Maintenant » fixé (RFC 3339) / a fixed "now"
    #[arg(long)]
    pub now: Option<String>,
    /// Les N premiers rendez-vous de chaque jour et le nombre du jour, comme la fenêtre (avec --json : les jours) / each day's first N appointments and the day's count, as the window shows (with --json: the days)
    #[arg(long, value_name = "N")]
    pub per_day: Option<u32>,
}

#[derive(Args)]
pub struct SummaryArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Début de la période (AAAA-MM-JJ ; défaut : l'accueil) / start of the period (default: intake)
    #[arg(long)]
    pub from: Option<String>,
    /// Fin de la période (AAAA-MM-JJ ; défaut : aujourd'hui) / end of the period (default: today)
    #[arg(long)]
    pub to: Option<String>,
    /// internal (tout) | partner (sans renseignements identifiants ni notes) / internal | partner
    #[arg(long, default_value = "internal", value_parser = ["internal", "partner"])]
    pub level: String,
    /// md | html | pdf
    #[arg(long, value_parser = ["md", "html", "pdf"])]
    pub format: String,
    /// Pour qui (obligatoire au niveau partner ; un consentement doit le nommer) / for whom (required at partner level; a consent must name them)
    #[arg(long = "for")]
    pub recipient: Option<String>,
    /// Sans consentement qui nomme le destinataire : la raison écrite de passer outre (gardée au dossier, journalisée) / with no consent naming the recipient: the written reason to go ahead (kept in the case, audited)
    #[arg(long)]
    pub override_reason: Option<String>,

    /// Fichier de sortie (sinon la sortie standard ; obligatoire pour pdf) / output file (else standard output; required for pdf)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// « Maintenant » fixé (RFC 3339) / a fixed "now"
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Args)]
pub struct StatsArgs {
    /// Début de la période (AAAA-MM-JJ ; défaut : depuis le début) / start of the period (default: from the start)
    #[arg(long)]
    pub from: Option<String>,
    /// Fin de la période (AAAA-MM-JJ ; défaut : aujourd'hui) / end of the period (default: today)
    #[arg(long)]
    pub to: Option<String>,
    /// L'exercice financier (1er avril au 31 mars) qui commence l'année AAAA / the fiscal year (1 April to 31 March) starting in year YYYY
    #[arg(long, value_name = "AAAA", conflicts_with_all = ["from", "to"], value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub fiscal_year: Option<i32>,
    #[command(flatten)]
    pub format: StatsFormat,
    /// Fichier de sortie (sinon la sortie standard) / output file (else standard output)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// « Maintenant » fixé (RFC 3339) / a fixed "now"
    #[arg(long)]
    pub now: Option<String>,
}

/// How a report is written: text (default), CSV, an .xlsx workbook or a PDF.
#[derive(Args)]
#[group(multiple = false)]
pub struct StatsFormat {
    /// En CSV (une ligne par nombre publié) / as CSV (one line per published number)
    #[arg(long)]
    pub csv: bool,
    /// En classeur .xlsx (une feuille par tableau ; avec -o) / as an .xlsx workbook (one sheet per table; with -o)
    #[arg(long, requires = "output")]
    pub xlsx: bool,
    /// En rapport PDF avec graphiques (avec -o) / as a PDF report with charts (with -o)
    #[arg(long, requires = "output")]
    pub pdf: bool,
}

#[derive(Subcommand)]
pub enum LedgerCmd {
    /// Écrire le registre de la période, chiffré pour la coordination de la coalition / write the period's ledger, encrypted for the coalition's coordinator
    Export(LedgerExportArgs),
    /// Additionner les registres des organismes, puis masquer les petits nombres / add up the organisations' ledgers, then hide the small counts
    Merge(LedgerMergeArgs),
}

#[derive(Args)]
pub struct LedgerExportArgs {
    /// Contact de la coordination (vérifié) / the coordinator's contact (verified)
    pub contact: String,
    /// Début de la période (AAAA-MM-JJ) / start of the period
    #[arg(long, required_unless_present = "fiscal_year")]
    pub from: Option<String>,
    /// Fin de la période (AAAA-MM-JJ) / end of the period
    #[arg(long, required_unless_present = "fiscal_year")]
    pub to: Option<String>,
    /// L'exercice financier qui commence l'année AAAA / the fiscal year starting in year YYYY
    #[arg(long, value_name = "AAAA", conflicts_with_all = ["from", "to"], value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub fiscal_year: Option<i32>,
    /// Fichier du registre / the ledger file
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Args)]
pub struct LedgerMergeArgs {
    /// Les registres reçus des organismes / the ledgers received from the organisations
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Ajouter les nombres de ce coffre pour la même période / add this vault's own counts for the same period
    #[arg(long)]
    pub own: bool,
    #[command(flatten)]
    pub format: StatsFormat,
    /// Fichier de sortie (sinon la sortie standard) / output file (else standard output)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct ExportPersonArgs {
    /// Identifiant ou alias / id or alias
    pub person: String,
    /// Fichier de sortie (sinon la sortie standard) / output file (else standard output)
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Vérifier la chaîne du journal / verify the log's chain
    Verify(AuditVerifyArgs),
    /// Écrire l'ancre signée du journal (la vôtre, ou la dernière reçue d'un·e collègue) / write the log's signed anchor (yours, or the last one received from a colleague)
    Anchor(AuditAnchorArgs),
}

#[derive(Args)]
pub struct AuditVerifyArgs {
    /// Vérifier aussi contre une ancre : un fichier d'ancre ou une sauvegarde / also check against an anchor: an anchor file or a backup
    #[arg(long, value_name = "FICHIER/FILE")]
    pub against: Option<PathBuf>,
}

#[derive(Args)]
pub struct AuditAnchorArgs {
    /// Fichier à écrire / file to write
    #[arg(long, short)]
    pub output: PathBuf,
    /// La dernière ancre reçue de ce contact (nom ou id) / the last anchor received from this contact (name or id)
    #[arg(long, value_name = "CONTACT")]
    pub of: Option<String>,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Nombre de personnes fictives / number of fictional persons
    #[arg(long)]
    pub persons: usize,
    /// Graine (même graine, même contenu) / seed (same seed, same content)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Date de référence / reference date (AAAA-MM-JJ) [défaut/default: aujourd'hui/today]
    #[arg(long)]
    pub today: Option<String>,
}
