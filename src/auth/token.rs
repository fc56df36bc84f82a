//! Bearer tokens: JWTs carrying the subject, the role and, for portal users, the client.
//!
//! Verification accepts only the configured algorithm (so `alg: none` and algorithm
//! confusion are refused), requires `exp`, `sub` and the configured audience, and allows
//! 30 seconds of clock skew. Tokens are trusted as issued: the identity provider (or the
//! `token` command) vouches that a contact belongs to the client it names.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::{Caller, StaffRole};
use crate::error::{AppError, AppResult};

/// The role claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Admin,
    Staff,
    StaffReadonly,
    Client,
}

/// The claims Delivery Desk reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// `user:<id>` for staff, `contact:<id>` for portal users.
    pub sub: String,
    pub role: Role,
    /// The client a portal user belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<i64>,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
}

impl Claims {
    /// The caller these claims describe, or why they describe none.
    pub fn caller(&self) -> AppResult<Caller> {
        let bad = || AppError::Unauthenticated;
        let (kind, id) = self.sub.split_once(':').ok_or_else(bad)?;
        let id: i64 = id.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        match (kind, self.role, self.client) {
            ("user", Role::Admin, None) => Ok(Caller::Staff {
                user_id: id,
                role: StaffRole::Admin,
            }),
            ("user", Role::Staff, None) => Ok(Caller::Staff {
                user_id: id,
                role: StaffRole::Staff,
            }),
            ("user", Role::StaffReadonly, None) => Ok(Caller::Staff {
                user_id: id,
                role: StaffRole::ReadOnly,
            }),
            ("contact", Role::Client, Some(client)) if client > 0 => Ok(Caller::Contact {
                contact_id: id,
                client_id: client,
            }),
            _ => Err(bad()),
        }
    }
}

/// How tokens are checked (and, with a secret, minted).
#[derive(Clone)]
pub struct TokenKeys {
    algorithm: Algorithm,
    decoding: DecodingKey,
    /// Present for HS256 only: public-key deployments mint tokens elsewhere.
    encoding: Option<EncodingKey>,
    audience: String,
}

impl TokenKeys {
    /// Shared-secret (HS256) keys. The secret must be at least 32 bytes.
    pub fn hs256(secret: &[u8], audience: &str) -> Result<Self, String> {
        if secret.len() < 32 {
            return Err("JWT_SECRET must be at least 32 bytes".into());
        }
        Ok(Self {
            algorithm: Algorithm::HS256,
            decoding: DecodingKey::from_secret(secret),
            encoding: Some(EncodingKey::from_secret(secret)),
            audience: audience.to_owned(),
        })
    }

    /// Public-key keys (RS256 or ES256) for tokens issued by an identity provider.
    pub fn public_key(pem: &[u8], algorithm: Algorithm, audience: &str) -> Result<Self, String> {
        let decoding = match algorithm {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
            other => {
                return Err(format!(
                    "JWT_ALGORITHM {other:?} is not supported with a public key"
                ));
            }
        }
        .map_err(|e| format!("JWT_PUBLIC_KEY_FILE is not a valid {algorithm:?} public key: {e}"))?;
        Ok(Self {
            algorithm,
            decoding,
            encoding: None,
            audience: audience.to_owned(),
        })
    }

    /// The caller of a bearer token; any defect is `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> AppResult<Caller> {
        self.verify_until(token).map(|(caller, _)| caller)
    }

    /// The caller of a bearer token and when the token expires (Unix seconds): a
    /// websocket authenticated by it is closed then.
    pub fn verify_until(&self, token: &str) -> AppResult<(Caller, i64)> {
        let mut validation = Validation::new(self.algorithm);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        validation.leeway = 30;
        let data = decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| AppError::Unauthenticated)?;
        Ok((data.claims.caller()?, data.claims.exp))
    }

    /// Mints a token (HS256 only) valid for `ttl_seconds`.
    pub fn mint(
        &self,
        sub: String,
        role: Role,
        client: Option<i64>,
        ttl_seconds: i64,
    ) -> Result<String, String> {
        let key = self
            .encoding
            .as_ref()
            .ok_or("tokens can be minted only with JWT_SECRET (HS256)")?;
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub,
            role,
            client,
            aud: self.audience.clone(),
            exp: now + ttl_seconds,
            iat: now,
        };
        claims
            .caller()
            .map_err(|_| "the role, subject and client do not fit together".to_owned())?;
        encode(&Header::new(self.algorithm), &claims, key).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::hs256(&[7; 32], "delivery-desk").unwrap()
    }

    #[test]
    fn a_minted_token_verifies_to_its_caller() {
        let k = keys();
        let staff = k.mint("user:5".into(), Role::Staff, None, 60).unwrap();
        assert_eq!(
            k.verify(&staff).unwrap(),
            Caller::Staff {
                user_id: 5,
                role: StaffRole::Staff
            }
        );
        let portal = k
            .mint("contact:9".into(), Role::Client, Some(2), 60)
            .unwrap();
        assert_eq!(
            k.verify(&portal).unwrap(),
            Caller::Contact {
                contact_id: 9,
                client_id: 2
            }
        );
    }

    #[test]
    fn expired_tampered_foreign_and_unsigned_tokens_are_refused() {
        let k = keys();
        let expired = k.mint("user:5".into(), Role::Admin, None, -120).unwrap();
        assert_eq!(k.verify(&expired).unwrap_err().code(), "UNAUTHENTICATED");

        let good = k.mint("user:5".into(), Role::Staff, None, 60).unwrap();
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        let forged =
            r#"{"sub":"user:5","role":"ADMIN","aud":"delivery-desk","exp":9999999999,"iat":0}"#;
        parts[1] = URL_SAFE_NO_PAD.encode(forged);
        assert!(
            k.verify(&parts.join(".")).is_err(),
            "payload changed, signature kept"
        );

        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{header}.{}.", URL_SAFE_NO_PAD.encode(forged));
        assert!(k.verify(&unsigned).is_err(), "alg none");

        let other = TokenKeys::hs256(&[8; 32], "delivery-desk").unwrap();
        assert!(other.verify(&good).is_err(), "signed with another secret");
        let other_audience = TokenKeys::hs256(&[7; 32], "someone-else").unwrap();
        assert!(other_audience.verify(&good).is_err(), "wrong audience");
        assert!(k.verify("not a token").is_err());
    }

    #[test]
    fn claims_that_do_not_fit_together_are_refused() {
        let k = keys();
        assert!(k.mint("contact:1".into(), Role::Staff, None, 60).is_err());
        assert!(k.mint("contact:1".into(), Role::Client, None, 60).is_err());
        assert!(k.mint("user:1".into(), Role::Client, Some(1), 60).is_err());
        assert!(TokenKeys::hs256(b"short", "x").is_err());
    }
}
