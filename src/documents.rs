//! Where documents' bytes live: a folder on disk, each file named by the SHA-256 of its
//! content (`ab/cd/abcd…`), so one file uploaded twice is stored once and a stored file
//! is never rewritten. The database holds the metadata (`entity::document`).
//!
//! A file is written to `tmp/` first and renamed into place once complete and synced, so
//! a reader never sees half a file, and several instances sharing the folder (a network
//! volume) may store the same content at once.

use std::{
    io::{Read, Seek, Write},
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};

use crate::{
    domain::document::{self, HEAD_BYTES, Kind},
    error::{AppError, AppResult},
};

/// The document folder and the largest file it takes.
#[derive(Debug, Clone)]
pub struct DocumentStore {
    dir: PathBuf,
    max_bytes: u64,
}

/// A file stored: its kind as checked, content hash and size.
#[derive(Debug, Clone)]
pub struct Stored {
    pub kind: Kind,
    pub sha256: String,
    pub size: u64,
}

impl DocumentStore {
    pub fn new(dir: impl Into<PathBuf>, max_bytes: u64) -> Self {
        Self {
            dir: dir.into(),
            max_bytes,
        }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where the file of `sha256` is; `None` for anything but 64 lowercase hex digits, so
    /// no name from outside can point elsewhere.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let hex = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        hex.then(|| self.dir.join(&sha256[..2]).join(&sha256[2..4]).join(sha256))
    }

    /// Checks and stores the upload in `file` (declared as `declared`): refused when
    /// larger than the limit, empty, or not of an accepted type its bytes bear out.
    pub async fn put(&self, file: std::fs::File, declared: Option<String>) -> AppResult<Stored> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.put_blocking(file, declared.as_deref()))
            .await
            .map_err(|e| AppError::Internal(format!("storing a document: {e}").into()))?
    }

    fn put_blocking(&self, mut file: std::fs::File, declared: Option<&str>) -> AppResult<Stored> {
        let io = |e: std::io::Error| AppError::Internal(format!("document store: {e}").into());
        let size = file.metadata().map_err(io)?.len();
        if size > self.max_bytes {
            return Err(AppError::input(
                "file",
                format!("the file is larger than {} bytes", self.max_bytes),
            ));
        }
        file.rewind().map_err(io)?;
        let mut head = vec![0; HEAD_BYTES.min(usize::try_from(size).unwrap_or(HEAD_BYTES))];
        file.read_exact(&mut head).map_err(io)?;
        let kind = document::check_content(declared, &head)?;
        file.rewind().map_err(io)?;

        let tmp_dir = self.dir.join("tmp");
        std::fs::create_dir_all(&tmp_dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&tmp_dir).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0; 64 * 1024];
        let mut written = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n]).map_err(io)?;
            written += n as u64;
        }
        tmp.as_file().sync_all().map_err(io)?;
        let sha256: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = self
            .path_of(&sha256)
            .ok_or_else(|| AppError::Internal("a digest that is not hex".into()))?;
        if !path.exists() {
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(io)?;
            // Atomic: the file appears whole or not at all; a concurrent writer of the same
            // content renames identical bytes over it.
            tmp.persist(&path).map_err(|e| io(e.error))?;
        }
        Ok(Stored {
            kind,
            sha256,
            size: written,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(bytes: &[u8]) -> std::fs::File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    #[tokio::test]
    async fn content_is_stored_once_by_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocumentStore::new(dir.path(), 1024);
        let a = store
            .put(upload(b"%PDF-1.7 signed"), Some("application/pdf".into()))
            .await
            .unwrap();
        let b = store.put(upload(b"%PDF-1.7 signed"), None).await.unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(a.size, 15);
        let path = store.path_of(&a.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"%PDF-1.7 signed");
        assert!(path.starts_with(dir.path().join(&a.sha256[..2])));
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );
    }

    #[tokio::test]
    async fn too_large_or_mistyped_is_refused_and_nothing_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = DocumentStore::new(dir.path(), 8);
        let big = store.put(upload(b"%PDF-1.7 too long"), None).await;
        assert!(matches!(big, Err(AppError::BadUserInput { .. })));
        let store = DocumentStore::new(dir.path(), 1024);
        let html = store
            .put(
                upload(b"<script>alert(1)</script>"),
                Some("image/png".into()),
            )
            .await;
        assert!(matches!(html, Err(AppError::BadUserInput { .. })));
        let stored: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name() != "tmp")
            .collect();
        assert!(stored.is_empty(), "{stored:?}");
    }

    #[test]
    fn only_a_digest_names_a_path() {
        let store = DocumentStore::new("/d", 1);
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
        assert_eq!(
            store.path_of(&"ab".repeat(32)).unwrap(),
            PathBuf::from(format!("/d/ab/ab/{}", "ab".repeat(32)))
        );
    }
}
