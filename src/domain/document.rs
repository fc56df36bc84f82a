//! What a document may be: the content types accepted, each recognised by its bytes (a
//! declared type the bytes do not bear out is refused), and a file name safe to store
//! and to hand back in a download.

use crate::error::{AppError, AppResult};

/// The content types accepted: scans, minutes, screenshots, sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// UTF-8 text (minutes, logs).
    Text,
    /// UTF-8 comma-separated values.
    Csv,
    /// Office Open XML: a zip container (Word, Excel, PowerPoint).
    Docx,
    Xlsx,
    Pptx,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::Pdf,
        Kind::Png,
        Kind::Jpeg,
        Kind::Gif,
        Kind::Webp,
        Kind::Text,
        Kind::Csv,
        Kind::Docx,
        Kind::Xlsx,
        Kind::Pptx,
    ];

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Png => "image/png",
            Kind::Jpeg => "image/jpeg",
            Kind::Gif => "image/gif",
            Kind::Webp => "image/webp",
            Kind::Text => "text/plain",
            Kind::Csv => "text/csv",
            Kind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
        }
    }

    fn of_declared(declared: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.content_type() == declared)
    }

    /// Whether `head` (the file's first bytes) looks like this kind.
    fn matches(self, head: &[u8]) -> bool {
        match self {
            Kind::Pdf => head.starts_with(b"%PDF-"),
            Kind::Png => head.starts_with(b"\x89PNG\r\n\x1a\n"),
            Kind::Jpeg => head.starts_with(&[0xFF, 0xD8, 0xFF]),
            Kind::Gif => head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a"),
            Kind::Webp => head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP",
            Kind::Text | Kind::Csv => is_text(head),
            Kind::Docx | Kind::Xlsx | Kind::Pptx => head.starts_with(b"PK\x03\x04"),
        }
    }

    /// The kind the bytes show when nothing (or `application/octet-stream`) was declared.
    /// Zip containers and text cannot be told apart by their first bytes; those need a
    /// declared type.
    fn sniff(head: &[u8]) -> Option<Kind> {
        [Kind::Pdf, Kind::Png, Kind::Jpeg, Kind::Gif, Kind::Webp]
            .into_iter()
            .find(|k| k.matches(head))
    }
}

/// UTF-8 (a character cut at the end of `head` allowed) with no NUL byte.
fn is_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// How many leading bytes [`check_content`] looks at.
pub const HEAD_BYTES: usize = 8192;

/// The kind of an upload declared as `declared` whose first bytes are `head`: the
/// declared type when it is accepted and the bytes bear it out, or what the bytes show
/// when no particular type was declared.
pub fn check_content(declared: Option<&str>, head: &[u8]) -> AppResult<Kind> {
    let declared = declared
        .map(|d| {
            d.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|d| !d.is_empty() && d != "application/octet-stream");
    if head.is_empty() {
        return Err(AppError::input("file", "the file is empty"));
    }
    match declared {
        None => Kind::sniff(head).ok_or_else(|| {
            AppError::input(
                "file",
                "the file's type is not recognised: declare it (PDF, PNG, JPEG, GIF, WebP, text, CSV, Word, Excel, PowerPoint)",
            )
        }),
        Some(d) => {
            let kind = Kind::of_declared(&d).ok_or_else(|| {
                AppError::input("file", format!("{d} is not an accepted document type"))
            })?;
            if kind.matches(head) {
                Ok(kind)
            } else {
                Err(AppError::input(
                    "file",
                    format!("the file's bytes are not {d}"),
                ))
            }
        }
    }
}

/// Longest stored file name, in characters.
const MAX_NAME: usize = 200;

/// The file name to store: the last path component (a browser may send a full path),
/// without control characters, quotes or backslashes, at most 200 characters.
pub fn file_name(given: Option<&str>) -> AppResult<String> {
    let given = given.unwrap_or("").trim();
    let last = given.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(MAX_NAME)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() {
        return Err(AppError::input("file", "the file has no name"));
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_type_must_match_the_bytes() {
        assert_eq!(
            check_content(Some("application/pdf"), b"%PDF-1.7\n...").unwrap(),
            Kind::Pdf
        );
        assert_eq!(
            check_content(Some("image/png; charset=binary"), b"\x89PNG\r\n\x1a\n....").unwrap(),
            Kind::Png
        );
        assert!(check_content(Some("image/png"), b"%PDF-1.7").is_err());
        assert!(check_content(Some("application/pdf"), b"<html><script>").is_err());
        assert!(check_content(Some("text/html"), b"<html>").is_err());
        assert_eq!(
            check_content(Some("text/plain"), "minutes: 议程".as_bytes()).unwrap(),
            Kind::Text
        );
        assert!(check_content(Some("text/plain"), b"MZ\x90\x00\x03").is_err());
        assert!(check_content(Some("text/plain"), b"").is_err());
    }

    #[test]
    fn without_a_type_the_bytes_decide_when_they_can() {
        assert_eq!(
            check_content(None, b"\xFF\xD8\xFF\xE0").unwrap(),
            Kind::Jpeg
        );
        assert_eq!(
            check_content(Some("application/octet-stream"), b"GIF89a..").unwrap(),
            Kind::Gif
        );
        assert_eq!(
            check_content(None, b"RIFF\x00\x00\x00\x00WEBPVP8 ").unwrap(),
            Kind::Webp
        );
        assert!(check_content(None, b"PK\x03\x04").is_err());
        assert!(check_content(None, b"plain words").is_err());
    }

    #[test]
    fn text_cut_inside_a_character_is_still_text() {
        let s = "验收".as_bytes();
        assert!(is_text(&s[..4]));
        assert!(!is_text(b"\xFF\xFE"));
    }

    #[test]
    fn file_names_lose_folders_and_unsafe_characters() {
        assert_eq!(
            file_name(Some("C:\\scans\\signed.pdf")).unwrap(),
            "signed.pdf"
        );
        assert_eq!(file_name(Some("../../etc/passwd")).unwrap(), "passwd");
        assert_eq!(file_name(Some("a\"b\r\n.pdf")).unwrap(), "ab.pdf");
        assert_eq!(file_name(Some(".hidden")).unwrap(), "hidden");
        assert!(file_name(Some("/")).is_err());
        assert!(file_name(None).is_err());
        assert_eq!(file_name(Some(&"x".repeat(500))).unwrap().len(), 200);
    }
}
