//! Unguessable tokens: webhook secrets, unsubscribe links, instance names.

/// `bytes` bytes of the operating system's randomness, as lowercase hex.
pub fn hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).unwrap_or_else(|_| unreachable!("the OS has randomness"));
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_hex_of_the_asked_length_and_differ() {
        let (a, b) = (super::hex(16), super::hex(16));
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
