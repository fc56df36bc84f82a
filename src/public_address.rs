//! Which addresses the server's own outbound requests (webhook deliveries) may reach.
//!
//! A webhook's URL is typed by a staff member, and the server posts to it from inside the
//! vendor's network: `http://127.0.0.1:5432/`, `http://169.254.169.254/` (a cloud's
//! metadata service) or `http://10.0.0.7/` would make the deliverer a probe of that
//! network, its status codes and connection errors the answers. So, unless the operator
//! allows them (`WEBHOOK_ALLOW_PRIVATE_ADDRESSES`, for receivers on the same network), only
//! public addresses are reached. The check runs where the address is known: on every
//! address a host name resolves to, at connect time (so a name that resolves to a public
//! address when registered and a private one later is still refused), and on a URL's
//! literal address, which is never resolved.

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
};

/// Whether `ip` is an address of the public internet: not loopback, private, shared
/// (carrier-grade NAT), link-local, unique-local, multicast, documentation or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        // 0.0.0.0/8, 100.64.0.0/10 (shared), 192.0.0.0/24 (protocol assignments),
        // 198.18.0.0/15 (benchmarking), 240.0.0.0/4 (reserved).
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // fc00::/7 unique-local, fe80::/10 link-local, 2001:db8::/32 documentation.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // 64:ff9b::/96 and ::ffff:0:0/96 carry IPv4 addresses: judged as those.
        || (first == 0x0064 && ip.segments()[1] == 0xff9b && !is_public_v4(embedded_v4(ip))))
}

fn embedded_v4(ip: Ipv6Addr) -> Ipv4Addr {
    let s = ip.segments();
    Ipv4Addr::new(
        (s[6] >> 8) as u8,
        (s[6] & 0xff) as u8,
        (s[7] >> 8) as u8,
        (s[7] & 0xff) as u8,
    )
}

/// Why a request was not sent: its host is, or resolves only to, addresses not public.
#[derive(Debug)]
pub struct NotPublic(pub String);

impl fmt::Display for NotPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a public address (WEBHOOK_ALLOW_PRIVATE_ADDRESSES allows it)",
            self.0
        )
    }
}

impl std::error::Error for NotPublic {}

/// The refusal of a URL whose host is a literal address that is not public (`None` for
/// a host name, or a public address). Literal addresses never reach a resolver.
pub fn literal_refused(url: &reqwest::Url) -> Option<NotPublic> {
    let ip = match url.host()? {
        url::Host::Ipv4(v4) => IpAddr::V4(v4),
        url::Host::Ipv6(v6) => IpAddr::V6(v6),
        url::Host::Domain(_) => return None,
    };
    (!is_public(ip)).then(|| NotPublic(ip.to_string()))
}

/// Resolves with the system's resolver and keeps only public addresses; a name left with
/// none fails, naming it.
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The [`NotPublic`] somewhere in `err`'s chain of causes, if that is why it failed.
pub fn cause<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a NotPublic> {
    let mut at = Some(err);
    while let Some(e) = at {
        if let Some(found) = e.downcast_ref::<NotPublic>() {
            return Some(found);
        }
        at = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().expect("an address"))
    }

    #[test]
    fn only_addresses_of_the_public_internet_are_public() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!public(inside), "{inside}");
        }
        for outside in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(outside), "{outside}");
        }
    }

    #[test]
    fn a_literal_address_is_judged_and_a_name_left_to_the_resolver() {
        let url = |s: &str| reqwest::Url::parse(s).expect("a URL");
        assert!(literal_refused(&url("http://127.0.0.1:9/hook")).is_some());
        assert!(literal_refused(&url("http://[::1]/hook")).is_some());
        assert!(literal_refused(&url("https://8.8.8.8/hook")).is_none());
        assert!(literal_refused(&url("https://hooks.example.com/")).is_none());
    }

    #[tokio::test]
    async fn a_name_resolving_only_inside_is_refused_naming_it() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().expect("a name");
        let err = PublicOnly.resolve(name).await.err().expect("refused");
        let why = cause(err.as_ref()).expect("NotPublic");
        assert_eq!(why.0, "localhost");
    }
}
