//! How much a request's document asks the server to look at, bounded before validation.
//!
//! The body limit bounds bytes, not work: a 1 MB document of 490,000 one-letter fields
//! took 1.4 s of validation before async-graphql called it too complex, and one of 80,000
//! unused variables was answered with 80,000 errors (11 MB). The nodes a document
//! holds (fields, arguments, directives, fragment spreads, inline fragments, variable
//! definitions) are counted on the parsed document in one pass, and a document over
//! [`MAX_NODES`] is refused before any rule runs. Every real query, GraphiQL's
//! introspection included, holds a few hundred. Before that, the text's names are
//! counted ([`parse`] does, for every transport), since parsing itself grows with them.
//!
//! And whatever a document gets wrong, at most [`MAX_ERRORS`] request errors are told,
//! the last one saying how many more there were: the answer to a request never grows
//! with the number of its mistakes.

use async_graphql::{
    ServerError,
    parser::{
        parse_query,
        types::{ExecutableDocument, Selection, SelectionSet},
    },
};

use crate::error::AppError;

/// Nodes a document may hold.
pub const MAX_NODES: usize = 10_000;
/// Names a document's text may hold, checked before parsing: parsing is most of the cost
/// of a huge document (0.65 s of the 490,000 fields above), and every node takes at least
/// one name, an argument's value or a variable's type a few more.
pub const MAX_NAMES: usize = 5 * MAX_NODES;
/// Request errors one response tells.
pub const MAX_ERRORS: usize = 20;

/// The nodes of `doc`: every operation's and fragment's selections, arguments,
/// directives and variable definitions. Iterative, so nesting costs no stack.
pub fn nodes(doc: &ExecutableDocument) -> usize {
    let mut count = 0;
    let mut sets: Vec<&SelectionSet> = Vec::new();
    for (_, op) in doc.operations.iter() {
        count += 1 + op.node.variable_definitions.len() + op.node.directives.len();
        sets.push(&op.node.selection_set.node);
    }
    for fragment in doc.fragments.values() {
        count += 1 + fragment.node.directives.len();
        sets.push(&fragment.node.selection_set.node);
    }
    while let Some(set) = sets.pop() {
        for item in &set.items {
            count += 1;
            match &item.node {
                Selection::Field(field) => {
                    count += field.node.arguments.len() + field.node.directives.len();
                    sets.push(&field.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => count += spread.node.directives.len(),
                Selection::InlineFragment(inline) => {
                    count += inline.node.directives.len();
                    sets.push(&inline.node.selection_set.node);
                }
            }
        }
    }
    count
}

/// The names in a document's text, outside strings and comments: one pass over the
/// bytes, no allocation. (Digits and letters after a digit are a number, not a name.)
pub fn names(text: &str) -> usize {
    let b = text.as_bytes();
    let continues = |c: u8| c == b'_' || c.is_ascii_alphanumeric();
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if b[i..].starts_with(br#""""#) => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(br#""""#) {
                    i += if b[i..].starts_with(br#"\""""#) { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                n += 1;
                while i + 1 < b.len() && continues(b[i + 1]) {
                    i += 1;
                }
            }
            c if c.is_ascii_digit() => {
                while i + 1 < b.len() && (continues(b[i + 1]) || b"+-.".contains(&b[i + 1])) {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// Refuses a document's text with more than [`MAX_NAMES`] names, before it is parsed.
fn check_text(text: &str) -> Result<(), String> {
    let n = names(text);
    if n > MAX_NAMES {
        return Err(format!(
            "the document is too large: {n} names, at most {MAX_NAMES}"
        ));
    }
    Ok(())
}

/// `text` parsed, or why not: refused unparsed when its names are over [`MAX_NAMES`].
/// The one way a request's text becomes a document, on every transport (HTTP, both
/// websocket protocols): a bound kept by each caller was missed by one of them.
pub fn parse(text: &str) -> Result<ExecutableDocument, ServerError> {
    check_text(text)
        .map_err(|message| AppError::ParseFailed(message).into_server_error(Vec::new()))?;
    parse_query(text).map_err(|err| {
        let err = ServerError::from(err);
        let message = match err.locations.first() {
            Some(at) => quoted_briefly(err.message, text, at.line, at.column),
            None => err.message,
        };
        AppError::ParseFailed(message).into_server_error(err.locations)
    })
}

/// The longest source line a parse error quotes whole.
const QUOTED_LINE: usize = 120;
/// Characters quoted on each side of the error's column in a longer line.
const QUOTED_AROUND: usize = 40;

/// The parser's message quotes the whole line of the error, with a caret under its
/// column: on a minified query or a megabyte of brackets on one line, the answer echoed
/// the request (800 KB in, 800 KB out). A line longer than [`QUOTED_LINE`] is quoted
/// around the column only, in the parser's own layout; its last line (what was expected)
/// is kept.
fn quoted_briefly(message: String, text: &str, line: usize, column: usize) -> String {
    let Some(source) = text.lines().nth(line.saturating_sub(1)) else {
        return message;
    };
    let length = source.chars().count();
    if length <= QUOTED_LINE {
        return message;
    }
    let at = column.saturating_sub(1);
    let from = at.saturating_sub(QUOTED_AROUND);
    let window: String = source.chars().skip(from).take(2 * QUOTED_AROUND).collect();
    let before = if from > 0 { "…" } else { "" };
    let after = if from + 2 * QUOTED_AROUND < length {
        "…"
    } else {
        ""
    };
    let caret = " ".repeat(at - from + usize::from(from > 0));
    let gutter = " ".repeat(line.to_string().len());
    let expected = message
        .lines()
        .last()
        .filter(|l| l.trim_start().starts_with('='))
        .map(|l| format!("\n{gutter} |\n{gutter} {}", l.trim_start()))
        .unwrap_or_default();
    format!(
        "{gutter}--> {line}:{column}\n{gutter} |\n{line} | {before}{window}{after}\n{gutter} | {caret}^---{expected}"
    )
}

/// Refuses a document over [`MAX_NODES`], as a request error.
pub fn check(doc: &ExecutableDocument) -> Result<(), ServerError> {
    let n = nodes(doc);
    if n > MAX_NODES {
        return Err(AppError::ValidationFailed(format!(
            "the document is too large: {n} fields, arguments, directives, fragments and \
             variables, at most {MAX_NODES}"
        ))
        .into_server_error(Vec::new()));
    }
    Ok(())
}

/// Keeps the first [`MAX_ERRORS`] request errors and says how many more there were.
pub fn cap_errors(errors: &mut Vec<ServerError>) {
    if errors.len() <= MAX_ERRORS {
        return;
    }
    let more = errors.len() - (MAX_ERRORS - 1);
    errors.truncate(MAX_ERRORS - 1);
    errors.push(
        AppError::ValidationFailed(format!(
            "and {more} more errors in this request, not listed; fix the ones above first"
        ))
        .into_server_error(Vec::new()),
    );
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    #[test]
    fn a_parse_error_quotes_a_long_line_around_its_column_only() {
        // A short line: the parser's message as it is.
        let short = parse("{ viewer { id } } }").expect_err("fails");
        assert_eq!(
            short.message,
            " --> 1:19\n  |\n1 | { viewer { id } } }\n  |                   ^---\n  |\n  = expected EOI or executable_definition"
        );
        // A megabyte of one line: about two hundred bytes, the column, and the parser's
        // reason (here its own nesting limit).
        let long = format!("{{ a(x: {}{}) }}", "[".repeat(400_000), "]".repeat(400_000));
        let err = parse(&long).expect_err("fails");
        assert!(err.message.len() < 300, "{}", err.message);
        let at = err.locations[0];
        assert!(
            err.message.starts_with(&format!(" --> 1:{}\n", at.column)),
            "{}",
            err.message
        );
        assert!(err.message.contains("\n  = "), "{}", err.message);
        // The caret stands under the column's character in the quoted window.
        let minified = format!("{{{}viewer {{ id }} }} }}", " ".repeat(500));
        let err = parse(&minified).expect_err("fails");
        let lines: Vec<&str> = err.message.lines().collect();
        let (quoted, caret) = (lines[2], lines[3]);
        let under = caret.find('^').expect("caret");
        assert_eq!(quoted.chars().nth(under), Some('}'), "{}", err.message);
    }

    fn count(query: &str) -> usize {
        nodes(&parse_query(query).expect("parses"))
    }

    #[test]
    fn every_kind_of_node_is_counted_once() {
        // operation + 1 variable + field `a` + 1 argument + 1 directive + field `b`
        // + spread + inline fragment + field `c` + fragment F + field `d`.
        let q = "query($v: Int) { a(x: $v) @skip(if: false) { b ...F ... on Query { c } } } \
                 fragment F on Query { d }";
        assert_eq!(count(q), 11);
    }

    #[test]
    fn a_document_over_the_limit_is_refused_and_one_at_it_is_not() {
        let fields = |n: usize| format!("{{ {} }}", "a ".repeat(n));
        // The operation itself is one node.
        assert!(check(&parse_query(fields(MAX_NODES - 1)).expect("parses")).is_ok());
        let err = check(&parse_query(fields(MAX_NODES)).expect("parses")).expect_err("refused");
        assert!(err.message.contains("too large"), "{}", err.message);
    }

    #[test]
    fn names_are_counted_outside_strings_comments_and_numbers() {
        assert_eq!(names("{ a b(x: 1.5e+10, y: ENUM) @d }"), 6);
        assert_eq!(names(r#"{ a(s: "b c \" d", t: """e \""" f""") } # g h"#), 3);
        assert_eq!(names("query($v: [Int!]) { x_1 __typename }"), 5);
        let fields = |n: usize| format!("{{ {} }}", "a ".repeat(n));
        assert!(parse(&fields(MAX_NAMES)).is_ok());
        let err = parse(&fields(MAX_NAMES + 1)).expect_err("refused before parsing");
        assert!(err.message.contains("too large"), "{}", err.message);
        // Unterminated strings and comments end the scan, not the process.
        assert_eq!(names("{ a \"b c"), 1);
        assert_eq!(names("{ a \"\"\"b c"), 1);
    }

    #[test]
    fn errors_beyond_the_cap_are_counted_not_listed() {
        let mut errors: Vec<ServerError> = (0..100)
            .map(|i| ServerError::new(format!("e{i}"), None))
            .collect();
        cap_errors(&mut errors);
        assert_eq!(errors.len(), MAX_ERRORS);
        assert_eq!(
            errors[MAX_ERRORS - 2].message,
            format!("e{}", MAX_ERRORS - 2)
        );
        assert!(
            errors[MAX_ERRORS - 1]
                .message
                .contains("and 81 more errors")
        );
        let mut few: Vec<ServerError> = (0..MAX_ERRORS)
            .map(|i| ServerError::new(format!("e{i}"), None))
            .collect();
        cap_errors(&mut few);
        assert_eq!(few.len(), MAX_ERRORS);
        assert_eq!(few[MAX_ERRORS - 1].message, format!("e{}", MAX_ERRORS - 1));
    }
}
