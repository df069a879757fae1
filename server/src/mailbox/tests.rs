use super::*;

fn url(user: &str, password: Option<&str>, host: &str, port: u16, folder: &str) -> ImapUrl {
    ImapUrl {
        user: user.to_owned(),
        password: password.map(str::to_owned),
        host: host.to_owned(),
        port,
        folder: folder.to_owned(),
    }
}

fn error(raw: &str) -> String {
    match parse_url(raw) {
        Ok(url) => panic!("{raw} parsed as {url:?}"),
        Err(why) => why,
    }
}

#[test]
fn a_full_url_is_read() {
    assert_eq!(
        parse_url("imaps://bounces:geheim@mail.example.nl:10993/Bounces"),
        Ok(url("bounces", Some("geheim"), "mail.example.nl", 10993, "Bounces"))
    );
}

#[test]
fn the_port_is_993_and_the_folder_inbox_by_default() {
    let expected = url("bounces", None, "mail.example.nl", 993, "INBOX");
    assert_eq!(parse_url("imaps://bounces@mail.example.nl"), Ok(expected.clone()));
    assert_eq!(parse_url("imaps://bounces@mail.example.nl/"), Ok(expected.clone()));
    assert_eq!(parse_url("IMAPS://bounces@mail.example.nl/"), Ok(expected.clone()));
    // imap:// is TLS too: plain IMAP is never spoken.
    assert_eq!(parse_url("imap://bounces@mail.example.nl"), Ok(expected));
}

#[test]
fn user_password_and_folder_are_percent_decoded() {
    assert_eq!(
        parse_url("imaps://bounces%40example.nl:p%3Ass%2Fw%40rd@mail.example.nl/Archief%2FBounces%20nl"),
        Ok(url(
            "bounces@example.nl",
            Some("p:ss/w@rd"),
            "mail.example.nl",
            993,
            "Archief/Bounces nl"
        ))
    );
    // A folder path with its own slashes is one folder name.
    assert_eq!(
        parse_url("imaps://u@h.example/Archief/Bounces").map(|u| u.folder),
        Ok("Archief/Bounces".to_owned())
    );
}

#[test]
fn an_unencoded_at_sign_in_the_password_is_taken_up_to_the_last_one() {
    assert_eq!(
        parse_url("imaps://u:p@ss@h.example/INBOX").map(|u| u.password),
        Ok(Some("p@ss".to_owned()))
    );
}

#[test]
fn an_empty_password_is_no_password() {
    assert_eq!(parse_url("imaps://u:@h.example").map(|u| u.password), Ok(None));
}

#[test]
fn hosts_are_lowercased_and_ipv6_addresses_unbracketed() {
    assert_eq!(
        parse_url("imaps://u@Mail.Example.NL").map(|u| u.host),
        Ok("mail.example.nl".to_owned())
    );
    let v6 = parse_url("imaps://u@[::1]:10993/INBOX").expect("IPv6 in brackets");
    assert_eq!(v6.host, "::1");
    assert_eq!(v6.port, 10993);
    assert_eq!(v6.key(), "u@[::1]:10993/INBOX");
    assert_eq!(
        parse_url("imaps://u@127.0.0.1:10993").map(|u| u.host),
        Ok("127.0.0.1".to_owned())
    );
}

#[test]
fn the_key_and_display_hold_no_password() {
    let url = parse_url("imaps://bounces:geheim@mail.example.nl/Bounces").expect("parses");
    assert_eq!(url.key(), "bounces@mail.example.nl:993/Bounces");
    assert_eq!(url.to_string(), "imaps://bounces@mail.example.nl:993/Bounces");
    assert!(!format!("{url:?}").contains("geheim"));
}

#[test]
fn other_schemes_and_missing_parts_are_refused_by_name() {
    assert!(error("https://u@h.example/").contains("scheme `https`"));
    assert!(error("pop3s://u@h.example/").contains("scheme"));
    assert!(error("u@h.example/INBOX").contains("no scheme"));
    assert!(error("imaps://h.example/INBOX").contains("no user"));
    assert!(error("imaps://:pw@h.example/INBOX").contains("user is empty"));
    assert!(error("imaps://u@/INBOX").contains("no host"));
    assert!(error("imaps://u@:993/INBOX").contains("no host"));
}

#[test]
fn bad_ports_are_refused() {
    for port in ["0", "65536", "99999999999", "+993", "-1", "", "99a", "993 "] {
        let raw = format!("imaps://u@h.example:{port}/INBOX");
        let why = match parse_url(&raw) {
            Ok(url) => panic!("{raw} parsed as {url:?}"),
            Err(why) => why,
        };
        assert!(why.contains("port") || why.contains("space"), "{raw}: {why}");
    }
}

#[test]
fn hostile_hosts_are_refused() {
    assert!(error("imaps://u@h.example:1:2/").contains("more than one `:`"));
    assert!(error("imaps://u@[::1/").contains("without its `]`"));
    assert!(error("imaps://u@[nope]/").contains("not an IPv6 address"));
    assert!(error("imaps://u@[::1]x/").contains("not `:PORT`"));
    assert!(error("imaps://u@mäil.example/").contains("not ASCII"));
    assert!(error("imaps://u@h%2eexample/").contains("holds a `%`"));
    assert!(error("imaps://u@h!.example/").contains("holds a `!`"));
    assert!(error("imaps://u@-.example/").contains("not a valid host name"));
}

#[test]
fn bad_escapes_name_their_part_but_never_show_the_password() {
    let why = error("imaps://u:geh%zzeim@h.example/");
    assert!(why.contains("the password has a `%`"), "{why}");
    assert!(!why.contains("geh"), "{why}");
    assert!(error("imaps://u%4@h.example/").contains("the user has a `%`"));
    assert!(error("imaps://u@h.example/IN%").contains("the folder has a `%`"));
    assert!(error("imaps://u@h.example/%ff%fe").contains("the folder is not UTF-8"));
    let why = error("imaps://u:%0d%0a@h.example/");
    assert!(why.contains("the password holds a control character"), "{why}");
}

#[test]
fn control_characters_spaces_and_url_extras_are_refused() {
    assert!(error("imaps://u@h.example/IN BOX").contains("space"));
    assert!(error("imaps://u@h.example/INBOX\r\na LOGOUT").contains("control character"));
    assert!(error("imaps://u@h.example/%0d%0aa%20LOGOUT").contains("control character"));
    assert!(error("imaps://u@h.example/INBOX?x=1").contains("`?` or `#`"));
    assert!(error("imaps://u@h.example/INBOX#top").contains("`?` or `#`"));
    assert!(error("imaps://u;AUTH=*@h.example/INBOX").contains("`;`"));
    assert!(error("imaps://u@h.example/INBOX;UIDVALIDITY=3").contains("`;`"));
    assert!(error(&format!("imaps://u@h.example/{}", "a".repeat(3000))).contains("longer than"));
}

#[test]
fn folders_must_be_ascii_as_imap_names_them() {
    assert!(error("imaps://u@h.example/Bo%C3%AEte").contains("modified UTF-7"));
    assert_eq!(
        parse_url("imaps://u@h.example/Bo&AO4-te").map(|u| u.folder),
        Ok("Bo&AO4-te".to_owned())
    );
    assert!(check_folder("").is_err());
    assert!(check_folder("a\nb").is_err());
    assert!(check_folder(&"x".repeat(600)).is_err());
    assert!(check_folder("bouncedesk-processed").is_ok());
}

#[test]
fn redacting_blanks_out_the_password_of_any_url() {
    assert_eq!(
        redact_url("imaps://bounces:geheim@h.example/INBOX"),
        "imaps://bounces:***@h.example/INBOX"
    );
    assert_eq!(redact_url("imaps://u:p@ss@h.example/"), "imaps://u:***@h.example/");
    assert_eq!(redact_url("imaps://u:pa/ss@h.example/"), "imaps://u:***@h.example/");
    // Without a scheme too.
    assert_eq!(redact_url("u:geheim@h.example"), "u:***@h.example");
    assert_eq!(redact_url("imaps://u@h.example:993/"), "imaps://u@h.example:993/");
    assert_eq!(redact_url("imaps://h.example:993/"), "imaps://h.example:993/");
    assert_eq!(redact_url("imaps://u@h/\u{1b}[2J"), "imaps://u@h/?[2J");
    assert!(redact_url(&"x".repeat(500)).ends_with("..."));
}

#[test]
fn uid_sets_write_runs_as_ranges() {
    assert_eq!(uid_set(&[]), "");
    assert_eq!(uid_set(&[7]), "7");
    assert_eq!(uid_set(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
    assert_eq!(uid_set(&[4, 6, 8]), "4,6,8");
    assert_eq!(
        uid_set(&[u32::MAX - 1, u32::MAX]),
        format!("{}:{}", u32::MAX - 1, u32::MAX)
    );
}

#[test]
fn folder_names_are_quoted_for_imap() {
    assert_eq!(quoted("bouncedesk-processed"), "\"bouncedesk-processed\"");
    assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

#[test]
fn inbox_is_one_folder_whatever_its_case() {
    assert!(same_folder("INBOX", "inbox"));
    assert!(same_folder("Bounces", "Bounces"));
    assert!(!same_folder("Bounces", "bounces"));
}

#[test]
fn the_arguments_never_show_the_password_in_debug_output() {
    let args = MailboxArgs {
        urls: vec!["imaps://u:geheim@h.example/INBOX".to_owned()],
        password: Some("ookgeheim".to_owned()),
        processed_folder: "done".to_owned(),
        ca_file: None,
        campaign: None,
        poll: None,
        database: DatabaseArg {
            database_url: "sqlite::memory:".to_owned(),
        },
    };
    let shown = format!("{args:?}");
    assert!(!shown.contains("geheim"), "{shown}");
}

#[test]
fn a_missing_ca_file_is_named() {
    let why = match tls_config(Some(Path::new("/nonexistent/ca.pem"))) {
        Ok(_) => panic!("a missing CA file was read"),
        Err(why) => why,
    };
    assert!(why.contains("--ca-file /nonexistent/ca.pem"), "{why}");
    assert!(tls_config(None).is_ok());
}
