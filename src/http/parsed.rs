//! Parsed queries kept for the next request with the same text.
//!
//! Clients send the same few documents again and again (a dashboard, a ticket view), and
//! parsing one is a measurable part of a small request (about 5 % of the server's CPU on
//! a ticket by id, docs/benchmarks.md). The most recently used documents are kept here,
//! bounded in number and in size, so that a client sending a new text each time costs
//! no more memory than a fixed amount, and no more time than a parse and a short scan.
//! Only documents that parse are kept; an error is parsed again each time it is sent.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::{ServerError, parser::types::ExecutableDocument};

use crate::graphql::document_size;

/// How many documents are kept.
const CAPACITY: usize = 256;
/// The longest query text kept; longer ones are parsed at every request.
const MAX_TEXT_BYTES: usize = 8 * 1024;

/// The recently parsed documents, by query text.
#[derive(Default)]
pub struct ParsedQueries(Mutex<Kept>);

#[derive(Default)]
struct Kept {
    docs: HashMap<Arc<str>, (Arc<ExecutableDocument>, u64)>,
    /// Counts uses; an entry's stamp is the count at its last use.
    clock: u64,
}

impl ParsedQueries {
    /// `query` parsed, from the last request that sent the same text when there was one.
    pub fn parse(&self, query: &str) -> Result<Arc<ExecutableDocument>, ServerError> {
        if let Some(doc) = self.kept(query) {
            return Ok(doc);
        }
        // Parsed outside the lock: a long document does not hold up other requests.
        let doc = Arc::new(document_size::parse(query)?);
        if query.len() <= MAX_TEXT_BYTES {
            self.keep(query, doc.clone());
        }
        Ok(doc)
    }

    fn kept(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.clock += 1;
        let now = kept.clock;
        let (doc, used) = kept.docs.get_mut(query)?;
        *used = now;
        Some(doc.clone())
    }

    fn keep(&self, query: &str, doc: Arc<ExecutableDocument>) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.docs.len() >= CAPACITY && !kept.docs.contains_key(query) {
            // The least recently used goes. A scan of a few hundred stamps, only when a
            // new text arrives at a full cache.
            let oldest = kept
                .docs
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(text, _)| text.clone());
            if let Some(text) = oldest {
                kept.docs.remove(&text);
            }
        }
        let now = kept.clock;
        kept.docs.insert(query.into(), (doc, now));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().unwrap().docs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_parsed_once() {
        let queries = ParsedQueries::default();
        let a = queries.parse("{ viewer { id } }").unwrap();
        let b = queries.parse("{ viewer { id } }").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let c = queries.parse("{ viewer { name } }").unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
    }

    #[test]
    fn errors_and_long_texts_are_not_kept() {
        let queries = ParsedQueries::default();
        assert!(queries.parse("{ viewer { id }").is_err());
        assert_eq!(queries.len(), 0);
        let long = format!("{{ viewer {{ id }} }} # {}", "x".repeat(MAX_TEXT_BYTES));
        let a = queries.parse(&long).unwrap();
        let b = queries.parse(&long).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(queries.len(), 0);
    }

    #[test]
    fn a_full_cache_lets_the_least_recently_used_go() {
        let queries = ParsedQueries::default();
        let text = |i: usize| format!("{{ a{i} }}");
        let docs: Vec<_> = (0..CAPACITY)
            .map(|i| queries.parse(&text(i)).unwrap())
            .collect();
        // The first is used again, so the second is now the least recently used.
        queries.parse(&text(0)).unwrap();
        queries.parse(&text(CAPACITY)).unwrap();
        assert_eq!(queries.len(), CAPACITY);
        assert!(Arc::ptr_eq(&docs[0], &queries.parse(&text(0)).unwrap()));
        assert!(Arc::ptr_eq(&docs[2], &queries.parse(&text(2)).unwrap()));
        assert!(!Arc::ptr_eq(&docs[1], &queries.parse(&text(1)).unwrap()));
    }
}
