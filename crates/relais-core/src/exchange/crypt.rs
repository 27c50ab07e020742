//! The age layer: encryption to the recipients, a strict check of the header, armor, and
//! decryption bounded to [`super::MAX_PLAINTEXT`].

use std::io::{Read, Write};

use super::*;
use crate::error::{Error, Result};
use crate::exchange::identity::{self};

/// Encrypts a bundle document, padded ([`padded_len`]).
pub(super) fn encrypt(plaintext: &[u8], to: &[age::x25519::Recipient], armor: bool) -> Result<Vec<u8>> {
    encrypt_with(to, armor, Padding::Bucket, |w| Ok(w.write_all(plaintext)?))
}

/// Whether the plaintext is padded to a size bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    /// As written (a summary's PDF).
    None,
    /// A bundle document: followed by ASCII spaces up to [`padded_len`], which every JSON reader
    /// skips, so that whoever sees the file (a sync engine, a shared drive) cannot tell one case
    /// from ten, nor a receipt from a small bundle.
    Bucket,
}

/// The smallest padded size of a bundle's plaintext: about twenty cases of the demo (a case
/// followed for a year, with its notes), so that one case and ten look the same.
pub const PAD_FLOOR: u64 = 1024 * 1024;

/// The size a plaintext of `n` bytes is padded to: at least [`PAD_FLOOR`], then Padmé (Nikitin
/// et al., "Reducing Metadata Leakage from Encrypted Files and Communication with PURBs",
/// 2019): the length rounded up so that only its top bits vary, at most about 12 % more, which
/// leaves O(log log n) bits of the size to see. Never past [`MAX_PLAINTEXT`].
pub fn padded_len(n: u64) -> u64 {
    if n <= PAD_FLOOR {
        return PAD_FLOOR;
    }
    let e = u64::from(63 - n.leading_zeros()); // ⌊log2 n⌋
    let s = u64::from(64 - e.leading_zeros()); // ⌊log2 e⌋ + 1
    let mask = (1u64 << (e - s)) - 1;
    ((n + mask) & !mask).clamp(n, MAX_PLAINTEXT.max(n))
}

/// Counts what goes through, to pad after it.
struct Counting<'a> {
    inner: &'a mut dyn Write,
    n: u64,
}

impl Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Encrypts to `to` whatever `write` writes, into one age file (armored or binary), padded
/// as `padding` says.
pub(crate) fn encrypt_with(
    to: &[age::x25519::Recipient],
    armor: bool,
    padding: Padding,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<Vec<u8>> {
    let enc = age::Encryptor::with_recipients(to.iter().map(|r| r as &dyn age::Recipient))?;
    let mut out = Vec::new();
    let format = if armor { age::armor::Format::AsciiArmor } else { age::armor::Format::Binary };
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, format)?;
    let mut w = enc.wrap_output(armored)?;
    let mut counting = Counting { inner: &mut w, n: 0 };
    write(&mut counting)?;
    if padding == Padding::Bucket {
        let mut left = padded_len(counting.n) - counting.n;
        let spaces = [b' '; 16 * 1024];
        while left > 0 {
            let k = left.min(spaces.len() as u64) as usize;
            counting.write_all(&spaces[..k])?;
            left -= k as u64;
        }
    }
    w.finish()?.finish()?;
    Ok(out)
}

pub(super) const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
pub(super) const ARMOR_END: &[u8] = b"-----END AGE ENCRYPTED FILE-----";

/// The binary age file inside an armored one (whitespace around the armor is allowed).
pub(super) fn dearmor(bytes: &[u8]) -> Result<Vec<u8>> {
    let trimmed = bytes.trim_ascii();
    if !trimmed.ends_with(ARMOR_END) {
        return Err(Error::BundleTruncated);
    }
    let mut out = Vec::new();
    age::armor::ArmoredReader::new(trimmed).take(MAX_PLAINTEXT + 1).read_to_end(&mut out).map_err(|_| Error::NotAgeFile)?;
    if out.len() as u64 > MAX_PLAINTEXT {
        return Err(Error::BundleTooLarge);
    }
    Ok(out)
}

/// The longest age header read: [`MAX_RECIPIENTS`] stanzas of about 100 bytes each fit in a
/// quarter of it.
const MAX_HEADER: usize = 64 * 1024;

/// The most body lines of a stanza: Relais's (X25519, scrypt) have one, the age test vectors'
/// at most three.
const MAX_BODY_LINES: usize = 8;

/// The most stanzas of other types than X25519: age adds one of « grease » to every header it
/// writes, a passphrase file has one scrypt stanza, the age test vectors up to three stanzas.
const MAX_OTHER_STANZAS: usize = 4;

/// The age header's syntax, stricter than the age crate: every stanza ends with a short body
/// line (even empty), body lines are at most 64 characters, the header ends with its MAC line.
/// And bounded, before the age crate reads it, which reads the header again from its start
/// after each line (a header of 40 000 empty stanzas, 240 kB that anyone can drop in a team
/// folder's inbox, took 213 s): at most [`MAX_RECIPIENTS`] X25519 stanzas and
/// [`MAX_OTHER_STANZAS`] others, [`MAX_BODY_LINES`] body lines each, [`MAX_HEADER`] bytes in
/// all.
pub(super) fn check_header(bin: &[u8]) -> Result<()> {
    const INTRO: &[u8] = b"age-encryption.org/v1\n";
    if !bin.starts_with(INTRO) {
        return Err(if INTRO.starts_with(bin) { Error::BundleTruncated } else { Error::NotAgeFile });
    }
    let mut rest = &bin[INTRO.len()..bin.len().min(MAX_HEADER)];
    let mut next_line = || -> Result<&[u8]> {
        // A header not ended within MAX_HEADER is not one Relais writes; one whose file ends
        // first is cut.
        let nl =
            rest.iter().position(|&c| c == b'\n').ok_or(if bin.len() > MAX_HEADER { Error::NotAgeFile } else { Error::BundleTruncated })?;
        let line = &rest[..nl];
        rest = &rest[nl + 1..];
        Ok(line)
    };
    let mut line = next_line()?;
    let (mut recipients, mut others) = (0, 0);
    loop {
        if line.starts_with(b"--- ") {
            return Ok(());
        }
        if !line.starts_with(b"-> ") {
            return Err(Error::NotAgeFile);
        }
        if line.starts_with(b"-> X25519 ") {
            recipients += 1;
            if recipients > MAX_RECIPIENTS {
                return Err(Error::BundleTooManyRecipients { max: MAX_RECIPIENTS });
            }
        } else {
            others += 1;
            if others > MAX_OTHER_STANZAS {
                return Err(Error::NotAgeFile);
            }
        }
        let mut body = 0;
        loop {
            line = next_line()?;
            body += 1;
            if line.starts_with(b"-> ") || line.starts_with(b"---") || line.len() > 64 || body > MAX_BODY_LINES {
                return Err(Error::NotAgeFile);
            }
            if line.len() < 64 {
                break;
            }
        }
        line = next_line()?;
    }
}

/// Decrypts an age file (binary or armored) with `identities`, mapping each failure to what a
/// person can act on. At most [`MAX_PLAINTEXT`] bytes are read, and nothing is returned unless
/// the whole payload authenticated. A large payload is decrypted in two halves, one per core
/// ([`decrypt_halves`]); when that fails, the payload is read again from its start, so that the
/// error said is the one the whole stream read in order gives.
pub fn decrypt(bytes: &[u8], identities: &[&dyn age::Identity]) -> Result<Vec<u8>> {
    decrypt_as(bytes, identities, true).map(Plain::into_vec)
}

/// [`decrypt`], into a [`Plain`].
pub(crate) fn decrypt_plain(bytes: &[u8], identities: &[&dyn age::Identity]) -> Result<Plain> {
    decrypt_as(bytes, identities, true)
}

/// [`decrypt`], trying the halves only with `halves` (not again when they failed on the file).
fn decrypt_as(bytes: &[u8], identities: &[&dyn age::Identity], halves: bool) -> Result<Plain> {
    let bin = binary(bytes)?;
    if halves
        && bin.len() >= HALVES_FROM
        && let Some(out) = decrypt_halves(|| std::io::Cursor::new(&bin[..]), identities)
    {
        return Ok(out);
    }
    let mut r = reader(std::io::Cursor::new(&bin[..]), identities)?;
    // Sized once: the plaintext is never longer than the ciphertext. A growing buffer would
    // copy the plaintext at each doubling and free the old copies without wiping them. Wiped
    // if the payload does not authenticate (a part of it was read).
    let mut out = zeroize::Zeroizing::new(Vec::with_capacity(bin.len().min(MAX_PLAINTEXT as usize + 1)));
    match (&mut r).take(MAX_PLAINTEXT + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_PLAINTEXT => Err(Error::BundleTooLarge),
        Ok(_) => Ok(Plain::from_vec(std::mem::take(&mut *out))),
        Err(e) => Err(payload_error(&e)),
    }
}

/// The binary age file in `bytes` (dearmored if armored), its header checked.
fn binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    let bin = if bytes.trim_ascii().starts_with(ARMOR_BEGIN) {
        std::borrow::Cow::Owned(dearmor(bytes)?)
    } else {
        std::borrow::Cow::Borrowed(bytes)
    };
    check_header(&bin)?;
    Ok(bin)
}

/// From this size of age file on, the payload is decrypted in two halves at once: below it, the
/// second thread would cost more than it saves.
const HALVES_FROM: usize = 2 << 20;

/// The plaintext of each chunk of age's payload (STREAM), authenticated by itself.
const CHUNK: u64 = 64 * 1024;

/// A payload's decryption error as what a person can act on.
fn payload_error(e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        Error::BundleTruncated
    } else {
        // A payload chunk that does not authenticate: altered, or cut inside the payload (the
        // age format cannot tell those apart).
        Error::BundleTampered
    }
}

/// The payload's reader of an age file read from `src`, the file key unwrapped with one of
/// `identities`.
fn reader<R: std::io::BufRead>(src: R, identities: &[&dyn age::Identity]) -> Result<age::stream::StreamReader<R>> {
    let dec = match age::Decryptor::new_buffered(src) {
        Ok(d) => d,
        Err(age::DecryptError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(Error::BundleTruncated),
        Err(age::DecryptError::InvalidMac) => return Err(Error::BundleTampered),
        Err(_) => return Err(Error::NotAgeFile),
    };
    match dec.decrypt(identities.iter().copied()) {
        Ok(r) => Ok(r),
        // No stanza opened with our key (for X25519 "not ours" and "damaged" look the same).
        Err(age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed) => Err(Error::BundleNotForThisVault),
        Err(age::DecryptError::InvalidMac) => Err(Error::BundleTampered),
        Err(age::DecryptError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(Error::BundleTruncated),
        Err(_) => Err(Error::BundleTampered),
    }
}

/// A decrypted payload, wiped from memory when dropped. A large one (decrypted in halves) is
/// anonymous memory that the kernel is asked to back with huge pages (`memmap2`): the 51 MB of
/// 1 000 cases then fault in about 25 pages of 2 MB rather than 12 500 of 4 kB, which took a
/// quarter of the decryption's CPU (with glibc's malloc on huge pages, the decryption of 1 000
/// cases went from 38 to 27 ms, their opening and preview from 198 to 184 ms); and it is left
/// out of core dumps, as the process already is (`secret::harden_process`). Either advice is
/// a request: a kernel that declines it leaves ordinary memory.
pub struct Plain(PlainBuf);

enum PlainBuf {
    Heap(Vec<u8>),
    Mapped(memmap2::MmapMut),
}

impl Plain {
    /// `len` zero bytes, mapped (heap memory if the mapping fails).
    fn zeroed(len: usize) -> Plain {
        match memmap2::MmapMut::map_anon(len) {
            Ok(map) => {
                // Requests (see the type): declined, the memory is ordinary.
                map.advise(memmap2::Advice::HugePage).ok();
                map.advise(memmap2::Advice::DontDump).ok();
                Plain(PlainBuf::Mapped(map))
            }
            Err(_) => Plain(PlainBuf::Heap(vec![0u8; len])),
        }
    }

    /// Bytes decrypted elsewhere (a small bundle, read in order).
    pub fn from_vec(bytes: Vec<u8>) -> Plain {
        Plain(PlainBuf::Heap(bytes))
    }

    /// The bytes as a vector (copied from a mapping, which is then wiped).
    pub fn into_vec(mut self) -> Vec<u8> {
        match &mut self.0 {
            PlainBuf::Heap(v) => std::mem::take(v),
            PlainBuf::Mapped(m) => m.to_vec(),
        }
    }
}

impl std::ops::Deref for Plain {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            PlainBuf::Heap(v) => v,
            PlainBuf::Mapped(m) => m,
        }
    }
}

impl std::ops::DerefMut for Plain {
    fn deref_mut(&mut self) -> &mut [u8] {
        match &mut self.0 {
            PlainBuf::Heap(v) => v,
            PlainBuf::Mapped(m) => m,
        }
    }
}

impl Drop for Plain {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        match &mut self.0 {
            // The whole allocation, spare capacity included.
            PlainBuf::Heap(v) => v.zeroize(),
            PlainBuf::Mapped(m) => m[..].zeroize(),
        }
    }
}

impl std::fmt::Debug for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never its content.
        write!(f, "Plain({} bytes)", self.len())
    }
}

/// The payload decrypted in two halves on two cores, each through its own reader; `None` when
/// anything fails (the caller reads it again in order, for the error to say). Accepts exactly
/// what reading it in order accepts: the STREAM construction (age's payload) authenticates each
/// 64 KiB chunk with its index and whether it is the last; the length is authenticated first
/// (age decrypts the final chunk as the last one), the first reader then goes one byte past its
/// half, so that a chunk marked last at the boundary fails there as it does in order, and the
/// second reads from the boundary to the end, which must end the stream. Each reader reads the
/// age file from its own `src()`.
fn decrypt_halves<R: std::io::BufRead + std::io::Seek + Send>(src: impl Fn() -> R, identities: &[&dyn age::Identity]) -> Option<Plain> {
    use std::io::{Seek, SeekFrom};
    let mut first = reader(src(), identities).ok()?;
    let len = first.seek(SeekFrom::End(0)).ok()?;
    first.seek(SeekFrom::Start(0)).ok()?;
    if !(2 * CHUNK..=MAX_PLAINTEXT).contains(&len) {
        return None;
    }
    let mut second = reader(src(), identities).ok()?;
    let half = len / 2 / CHUNK * CHUNK;
    second.seek(SeekFrom::Start(half)).ok()?;
    let mut out = Plain::zeroed(len as usize);
    let (a, b) = out.split_at_mut(half as usize);
    let (first_ok, second_ok) = super::beside(
        move || {
            let mut past = [0u8; 1];
            first.read_exact(a).is_ok() && first.read_exact(&mut past).is_ok()
        },
        || {
            let mut end = [0u8; 1];
            second.read_exact(b).is_ok() && matches!(second.read(&mut end), Ok(0))
        },
    );
    (first_ok && second_ok).then_some(out)
}

/// Reads a bundle file, refusing at once one larger than any bundle can be
/// ([`MAX_BUNDLE_FILE`]): its size is looked at before a byte is read.
pub fn read_bundle_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_BUNDLE_FILE {
        return Err(Error::BundleTooLarge);
    }
    // Sized from the file's length: a growing buffer would copy a large bundle at each doubling.
    let mut out = Vec::with_capacity(len as usize + 1);
    // The file may grow while it is read (a sync engine still writing it): never past the limit.
    file.take(MAX_BUNDLE_FILE + 1).read_to_end(&mut out)?;
    if out.len() as u64 > MAX_BUNDLE_FILE {
        return Err(Error::BundleTooLarge);
    }
    Ok(out)
}

/// Decrypts a bundle file: what [`decrypt`] of its bytes ([`read_bundle_file`]) gives, without
/// reading them all first when it is a large binary age file (reading 51 MB into memory took
/// 30 ms, most of it the kernel handing the new pages over): its two halves are decrypted
/// straight from the file, each reader reading at its own place ([`At`]). Anything else, and
/// any failure, goes through the bytes, for the error to say.
pub fn decrypt_file(path: &std::path::Path, identities: &[&dyn age::Identity]) -> Result<Plain> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_BUNDLE_FILE {
        return Err(Error::BundleTooLarge);
    }
    // The header is a few hundred bytes; one that does not end in the first 64 KiB goes
    // through the bytes.
    let tried = len >= HALVES_FROM as u64 && {
        let mut head = vec![0u8; CHUNK as usize];
        file.read_exact_at(&mut head, 0).is_ok() && !head.trim_ascii_start().starts_with(ARMOR_BEGIN) && check_header(&head).is_ok()
    };
    if tried
        && let Some(out) = decrypt_halves(|| std::io::BufReader::with_capacity(CHUNK_READ, At { file: &file, len, pos: 0 }), identities)
    {
        return Ok(out);
    }
    // Halves that failed on the file would fail on its bytes (unless it changed meanwhile): read
    // in order, for the error to say.
    decrypt_as(&read_bundle_file(path)?, identities, !tried)
}

/// What each reader of a file asks for at once: a sealed chunk of the payload (the chunk and its
/// 16-byte tag).
const CHUNK_READ: usize = CHUNK as usize + 16;

/// A file read from its own place (positional reads: two readers share the file, not an offset),
/// as long as it was when opened: a file a sync engine is still writing must not grow under age's
/// reader, which sizes the last chunk from the length it found first (and asserts it fits). A file
/// changed meanwhile does not authenticate, and is read again through its bytes.
struct At<'f> {
    file: &'f std::fs::File,
    len: u64,
    pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = usize::try_from(self.len.saturating_sub(self.pos)).unwrap_or(usize::MAX);
        let k = buf.len().min(left);
        let n = std::os::unix::fs::FileExt::read_at(self.file, &mut buf[..k], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for At<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let base = match to {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::End(d) => self.len.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = base.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// [`decrypt_halves`] whatever the file's size (the age vectors are small): the plaintext, or
/// `None` where [`decrypt`] reads in order (and says why it refuses).
#[doc(hidden)]
pub fn decrypt_in_halves_for_tests(bytes: &[u8], identities: &[&dyn age::Identity]) -> Option<Vec<u8>> {
    let bin = binary(bytes).ok()?;
    decrypt_halves(|| std::io::Cursor::new(&bin[..]), identities).map(Plain::into_vec)
}

/// Encrypts arbitrary bytes to `to` (test vectors: a valid age file that is not a bundle).
#[doc(hidden)]
pub fn encrypt_for_test_vectors(plaintext: &[u8], to: &[&str]) -> Result<Vec<u8>> {
    let recipients = to.iter().map(|r| identity::parse_recipient(r)).collect::<Result<Vec<_>>>()?;
    // Unpadded: the vectors stay small in the repository (a reader needs no padding).
    encrypt_with(&recipients, false, Padding::None, |w| Ok(w.write_all(plaintext)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload of `n` bytes that differ from chunk to chunk (a chunk read at the wrong place
    /// shows).
    fn payload(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i / 7 % 251) as u8).collect()
    }

    fn encrypted(plain: &[u8], id: &age::x25519::Identity) -> Vec<u8> {
        encrypt_with(&[id.to_public()], false, Padding::None, |w| Ok(w.write_all(plain)?)).unwrap()
    }

    #[test]
    fn a_header_is_read_only_within_bounds() {
        let me = age::x25519::Identity::generate();
        let others: Vec<age::x25519::Recipient> = (0..MAX_RECIPIENTS).map(|_| age::x25519::Identity::generate().to_public()).collect();
        // As many recipients as a bundle may name, this vault's last: decrypted.
        let mut to = others[1..].to_vec();
        to.push(me.to_public());
        let full = encrypt_with(&to, false, Padding::None, |w| Ok(w.write_all(b"{}")?)).unwrap();
        assert_eq!(decrypt(&full, &[&me]).unwrap(), b"{}");
        // One more: refused before age reads the header, whoever it names.
        let mut more = others.clone();
        more.push(me.to_public());
        let over = encrypt_with(&more, false, Padding::None, |w| Ok(w.write_all(b"{}")?)).unwrap();
        assert!(matches!(decrypt(&over, &[&me]), Err(Error::BundleTooManyRecipients { .. })));
        // The attack: 40 000 empty stanzas (240 kB; age's parser took 213 s over them).
        let forged = |stanza: &[u8], n: usize| {
            let mut file = b"age-encryption.org/v1\n".to_vec();
            for _ in 0..n {
                file.extend_from_slice(stanza);
            }
            file.extend_from_slice(b"--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
            file.extend_from_slice(&[0u8; 64]);
            file
        };
        assert!(matches!(decrypt(&forged(b"-> x\n\n", 40_000), &[&me]), Err(Error::NotAgeFile)));
        assert!(matches!(decrypt(&forged(b"-> x\n\n", MAX_OTHER_STANZAS + 1), &[&me]), Err(Error::NotAgeFile)));
        let x25519 = b"-> X25519 IgPKZAfvZrmqSVI/z9C27+rhNkB7X37rkxYp5d8iNCE\nAAAA\n";
        assert!(matches!(decrypt(&forged(x25519, 40_000), &[&me]), Err(Error::BundleTooManyRecipients { .. })));
        // A stanza of many full body lines, or a header past its size: not a Relais file.
        let mut long = b"-> x\n".to_vec();
        for _ in 0..MAX_BODY_LINES {
            long.extend_from_slice(&[b'A'; 64]);
            long.push(b'\n');
        }
        long.extend_from_slice(b"\n");
        assert!(matches!(decrypt(&forged(&long, 1), &[&me]), Err(Error::NotAgeFile)));
        let wide = [b"-> x ".as_slice(), &[b'a'; 60_000], b"\n\n"].concat();
        assert!(matches!(decrypt(&forged(&wide, 2), &[&me]), Err(Error::NotAgeFile)));
        // Within bounds, the same forgeries are age's to refuse (not ours).
        assert!(!matches!(
            decrypt(&forged(x25519, MAX_RECIPIENTS), &[&me]),
            Err(Error::BundleTooManyRecipients { .. } | Error::NotAgeFile)
        ));
    }

    #[test]
    fn a_large_payload_decrypts_in_halves_to_the_same_bytes() {
        let id = age::x25519::Identity::generate();
        // Past the size where halves start: a whole number of chunks, one byte more, one less.
        for n in [HALVES_FROM, HALVES_FROM + 1, HALVES_FROM - 1, 3 * HALVES_FROM / 2 + 17, 40 * CHUNK as usize] {
            let plain = payload(n);
            let bin = encrypted(&plain, &id);
            assert!(bin.len() >= HALVES_FROM, "{n}: not large enough to be read in halves");
            assert!(decrypt_halves(|| std::io::Cursor::new(&bin[..]), &[&id]).is_some_and(|out| *out == plain), "{n}: halves");
            assert_eq!(decrypt(&bin, &[&id]).unwrap(), plain, "{n}");
        }
    }

    /// A bundle file decrypted from the file gives what its bytes give: read in halves at their
    /// own places, or through the bytes (armored, damaged, small).
    #[test]
    fn a_bundle_file_decrypts_as_its_bytes() {
        let id = age::x25519::Identity::generate();
        let dir = std::env::temp_dir().join(format!("relais-crypt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("envoi.relais");
        let plain = payload(3 * HALVES_FROM + 5);
        let bin = encrypted(&plain, &id);
        std::fs::write(&path, &bin).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let len = bin.len() as u64;
        let halves = decrypt_halves(|| std::io::BufReader::with_capacity(CHUNK_READ, At { file: &file, len, pos: 0 }), &[&id]);
        assert!(halves.is_some_and(|out| *out == plain), "read in halves from the file");
        // The file grows after it was opened (a sync engine still writing it): the readers see
        // it as it was (a reader that saw it grow would hand age a last chunk longer than a
        // chunk, which age refuses by a panic).
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(&[b'x'; 100_000]).unwrap();
        let halves = decrypt_halves(|| std::io::BufReader::with_capacity(CHUNK_READ, At { file: &file, len, pos: 0 }), &[&id]);
        assert!(halves.is_some_and(|out| *out == plain), "read as it was when opened");
        std::fs::write(&path, &bin).unwrap();
        assert_eq!(*decrypt_file(&path, &[&id]).unwrap(), plain);
        let armored = encrypt_with(&[id.to_public()], true, Padding::None, |w| Ok(w.write_all(&plain)?)).unwrap();
        let mut cut = bin.clone();
        cut.truncate(bin.len() - 100);
        let mut changed = bin.clone();
        changed[bin.len() / 3] ^= 1;
        let small = encrypted(b"{}", &id);
        for (what, bytes) in [("armored", armored), ("cut", cut), ("changed", changed), ("small", small)] {
            std::fs::write(&path, &bytes).unwrap();
            let (from_file, from_bytes) = (decrypt_file(&path, &[&id]), decrypt(&bytes, &[&id]));
            assert_eq!(from_file.as_deref().map_err(Error::code), from_bytes.as_deref().map_err(Error::code), "{what}");
        }
        let other = age::x25519::Identity::generate();
        assert!(matches!(decrypt_file(&path, &[&other]), Err(Error::BundleNotForThisVault)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_plain_buffer_holds_what_is_written_in_it_whether_mapped_or_not() {
        // Mapped: a large payload's (asserted below: decrypt_halves takes one).
        let mut mapped = Plain::zeroed(3 * HALVES_FROM + 5);
        assert!(matches!(mapped.0, PlainBuf::Mapped(_)), "not mapped");
        assert_eq!(mapped.len(), 3 * HALVES_FROM + 5);
        assert!(mapped.iter().all(|&b| b == 0));
        let plain = payload(mapped.len());
        mapped.copy_from_slice(&plain);
        assert_eq!(&*mapped, &plain[..]);
        assert_eq!(format!("{mapped:?}"), format!("Plain({} bytes)", plain.len()));
        assert_eq!(mapped.into_vec(), plain);
        let heap = Plain::from_vec(plain.clone());
        assert_eq!(&*heap, &plain[..]);
        assert_eq!(heap.into_vec(), plain);
        // What the halves decrypt is mapped.
        let id = age::x25519::Identity::generate();
        let bin = encrypted(&plain, &id);
        let out = decrypt_halves(|| std::io::Cursor::new(&bin[..]), &[&id]).expect("read in halves");
        assert!(matches!(out.0, PlainBuf::Mapped(_)) && *out == plain[..]);
    }

    #[test]
    fn a_large_payload_damaged_anywhere_says_what_reading_it_in_order_says() {
        let id = age::x25519::Identity::generate();
        let plain = payload(3 * HALVES_FROM);
        let bin = encrypted(&plain, &id);
        let header = bin.windows(5).position(|w| w == b"\n--- ").unwrap();
        let payload_at = header + bin[header + 1..].iter().position(|&b| b == b'\n').unwrap() + 2 + 16;
        const SEALED: usize = CHUNK_READ;
        // A byte changed in the first half, in the second, in the last chunk.
        for at in [payload_at + 10, payload_at + (bin.len() - payload_at) * 3 / 4, bin.len() - 5] {
            let mut bad = bin.clone();
            bad[at] ^= 1;
            assert!(decrypt_halves(|| std::io::Cursor::new(&bad[..]), &[&id]).is_none(), "changed at {at}");
            assert!(matches!(decrypt(&bad, &[&id]), Err(Error::BundleTampered)), "changed at {at}");
        }
        // Cut where a chunk ends (the stream stops before its last chunk): truncated; cut inside
        // a chunk: the chunk does not authenticate.
        let boundary = payload_at + 30 * SEALED;
        assert!(decrypt_halves(|| std::io::Cursor::new(&bin[..boundary]), &[&id]).is_none());
        assert!(matches!(decrypt(&bin[..boundary], &[&id]), Err(Error::BundleTruncated)));
        assert!(matches!(decrypt(&bin[..boundary + 100], &[&id]), Err(Error::BundleTampered)));
        // Someone else's key.
        let other = age::x25519::Identity::generate();
        assert!(matches!(decrypt(&bin, &[&other]), Err(Error::BundleNotForThisVault)));
    }
}
