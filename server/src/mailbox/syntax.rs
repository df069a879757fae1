//! The text of IMAP: mailbox URLs, folder names, UID sets; checked here
//! once, so the session code only ever sees values that are well formed.

use rustls::pki_types::ServerName;

use crate::error::short;

use super::{DEFAULT_PORT, FOLDER_LIMIT, ImapUrl, URL_LIMIT};

/// An IMAP sequence set of ascending UIDs, runs written as ranges:
/// `1:3,7,9:10`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut set = String::new();
    let mut i = 0;
    while let Some(&first) = uids.get(i) {
        let mut last = first;
        while let Some(&next) = uids.get(i + 1) {
            if Some(next) != last.checked_add(1) {
                break;
            }
            last = next;
            i += 1;
        }
        if !set.is_empty() {
            set.push(',');
        }
        if last == first {
            set.push_str(&first.to_string());
        } else {
            set.push_str(&format!("{first}:{last}"));
        }
        i += 1;
    }
    set
}

/// An IMAP quoted string (the name was checked to hold no control character).
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Whether two folder names name one folder (INBOX is case-insensitive).
pub(super) fn same_folder(a: &str, b: &str) -> bool {
    a == b || (a.eq_ignore_ascii_case("INBOX") && b.eq_ignore_ascii_case("INBOX"))
}

/// Checks a folder name; the error completes "the folder ...".
pub fn check_folder(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".to_owned());
    }
    if name.len() > FOLDER_LIMIT {
        return Err(format!("is longer than {FOLDER_LIMIT} bytes"));
    }
    if name.chars().any(char::is_control) {
        return Err("holds a control character".to_owned());
    }
    if !name.is_ascii() {
        return Err(format!(
            "`{}` is not ASCII: IMAP names folders in modified UTF-7 (`Bo&AO4-te` for `Boîte`); write that form",
            short(name)
        ));
    }
    Ok(())
}

/// Reads a mailbox URL: `imaps://USER[:PASSWORD]@HOST[:PORT][/FOLDER]`
/// (`imap://` alike, also TLS). The error names the part that is wrong and
/// never shows the password.
pub fn parse_url(raw: &str) -> Result<ImapUrl, String> {
    if raw.len() > URL_LIMIT {
        return Err(format!("the URL is longer than {URL_LIMIT} bytes"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL holds a space or a control character (write it %-encoded)".to_owned());
    }
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or("the URL has no scheme: write imaps://USER@HOST/FOLDER")?;
    if !scheme.eq_ignore_ascii_case("imaps") && !scheme.eq_ignore_ascii_case("imap") {
        return Err(format!(
            "the scheme `{}` is not imaps:// (imap:// is read as imaps://: plain IMAP is refused)",
            short(scheme)
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(
            "the URL has a `?` or `#` (no query or fragment is read; write them %3F and %23 in names)".to_owned(),
        );
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = authority
        .rsplit_once('@')
        .ok_or("the URL names no user: write imaps://USER@HOST/FOLDER")?;
    let (user, password) = match userinfo.split_once(':') {
        Some((user, password)) => (user, Some(password)),
        None => (userinfo, None),
    };
    if user.contains(';') {
        return Err(
            "the user holds a `;` (URL options such as ;AUTH= are not read; write %3B for a `;` in the name)"
                .to_owned(),
        );
    }
    let user = decode(user, "user")?;
    if user.is_empty() {
        return Err("the user is empty".to_owned());
    }
    if user.chars().any(char::is_control) {
        return Err("the user holds a control character".to_owned());
    }
    let password = match password {
        None | Some("") => None,
        Some(password) => {
            let password = decode(password, "password")?;
            if password.chars().any(char::is_control) {
                return Err("the password holds a control character".to_owned());
            }
            Some(password)
        }
    };
    let (host, port) = host_and_port(hostport)?;
    if path.contains(';') {
        return Err(
            "the folder holds a `;` (URL parameters such as ;UIDVALIDITY= are not read; write %3B in a name)"
                .to_owned(),
        );
    }
    let folder = if path.is_empty() {
        "INBOX".to_owned()
    } else {
        decode(path, "folder")?
    };
    check_folder(&folder).map_err(|why| format!("the folder {why}"))?;
    Ok(ImapUrl {
        user,
        password,
        host,
        port,
        folder,
    })
}

/// The host (lowercase, brackets of an IPv6 address taken off) and port.
pub(super) fn host_and_port(text: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or("the host has a `[` without its `]`")?;
        let ip: std::net::Ipv6Addr = inside
            .parse()
            .map_err(|_| format!("the host `[{}]` is not an IPv6 address", short(inside)))?;
        let port = match after {
            "" => None,
            after => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| format!("`{}` after the host is not `:PORT`", short(after)))?,
            ),
        };
        (ip.to_string(), port)
    } else {
        let (host, port) = match text.split_once(':') {
            Some((_, port)) if port.contains(':') => {
                return Err("the host has more than one `:` (write an IPv6 address in brackets: [::1])".to_owned());
            }
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        };
        if host.is_empty() {
            return Err("the URL names no host".to_owned());
        }
        if !host.is_ascii() {
            return Err(format!(
                "the host `{}` is not ASCII (write an internationalized name in its xn-- form)",
                short(host)
            ));
        }
        if let Some(c) = host
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
        {
            return Err(format!(
                "the host `{}` holds a `{c}`, which no host name has",
                short(host)
            ));
        }
        if ServerName::try_from(host).is_err() {
            return Err(format!("the host `{}` is not a valid host name", short(host)));
        }
        (host.to_ascii_lowercase(), port)
    };
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => {
            // Digits only: `parse` would take a sign.
            let digits = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
            match port.parse::<u16>() {
                Ok(number) if digits && number > 0 => number,
                _ => return Err(format!("the port `{}` is not a number from 1 to 65535", short(port))),
            }
        }
    };
    Ok((host, port))
}

/// %-decodes a part of the URL (`what` names it in errors, which never show
/// its text: it may be the password).
pub(super) fn decode(text: &str, what: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let digit = |k: usize| bytes.get(k).and_then(|b| char::from(*b).to_digit(16));
            let (Some(high), Some(low)) = (digit(i + 1), digit(i + 2)) else {
                return Err(format!("the {what} has a `%` not followed by two hexadecimal digits"));
            };
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("the {what} is not UTF-8 once its %-escapes are decoded"))
}

/// A mailbox URL as given, for a message about it: any password blanked
/// out (everything between the first `:` after the scheme and the last
/// `@`), control characters shown as `?`, cut to 100 characters.
pub fn redact_url(raw: &str) -> String {
    let shown = match raw.rfind('@') {
        Some(at) => {
            let start = raw.find("://").map(|i| i + 3).filter(|&i| i <= at).unwrap_or(0);
            match raw[start..at].find(':') {
                Some(colon) => format!("{}:***{}", &raw[..start + colon], &raw[at..]),
                None => raw.to_owned(),
            }
        }
        None => raw.to_owned(),
    };
    let mut cut: String = shown
        .chars()
        .take(100)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if shown.chars().count() > 100 {
        cut.push_str("...");
    }
    cut
}
