//! The input formats: their names, how each is told apart at the start of
//! an input, and how each is read (line by line, keeping what a format
//! needs from earlier lines; a webhook body whole).

use clap::ValueEnum;

use super::{
    Item, brevo, exim, json, kumomta, mailbox, mailerq, mailgun, mailjet, mandrill, postfix, postmark, powermta,
    sendgrid, ses, sparkpost,
};

/// The input formats, by the names `--format` and the webhook routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Told from the start of each input (see [`detect`]).
    Auto,
    /// Postfix maillog (`status=sent|deferred|bounced|expired` lines).
    Postfix,
    /// Exim main log (`=>`, `==`, `**` lines).
    Exim,
    /// MailerQ JSON results, one message with its attempts per line.
    Mailerq,
    /// PowerMTA accounting CSV, with its header line.
    Powermta,
    /// KumoMTA JSON log records, one per line.
    Kumomta,
    /// SendGrid Event Webhook bodies.
    Sendgrid,
    /// Amazon SES notifications, raw or wrapped by SNS.
    Ses,
    /// Postmark webhook bodies.
    Postmark,
    /// Mailgun webhooks (event-data JSON, or the legacy form fields).
    Mailgun,
    /// SparkPost webhook batches.
    Sparkpost,
    /// Mandrill webhooks (`mandrill_events=` form bodies).
    Mandrill,
    /// Brevo (Sendinblue) webhook events.
    Brevo,
    /// Mailjet Event API bodies.
    Mailjet,
    /// Any CSV with a header line (columns found by name or `--column`).
    Csv,
    /// bouncedesk's own JSON shape (what `POST /api/v1/events` takes).
    Json,
    /// One bounce message (a DSN, an ARF report, an auto-reply) per file.
    Eml,
    /// An mbox file of bounce messages.
    Mbox,
    /// A Maildir folder of bounce messages (`cur/` and `new/`).
    Maildir,
}

impl Format {
    /// The name `--format` and `/api/v1/webhooks/{format}` use.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Postfix => "postfix",
            Format::Exim => "exim",
            Format::Mailerq => "mailerq",
            Format::Powermta => "powermta",
            Format::Kumomta => "kumomta",
            Format::Sendgrid => "sendgrid",
            Format::Ses => "ses",
            Format::Postmark => "postmark",
            Format::Mailgun => "mailgun",
            Format::Sparkpost => "sparkpost",
            Format::Mandrill => "mandrill",
            Format::Brevo => "brevo",
            Format::Mailjet => "mailjet",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Eml => "eml",
            Format::Mbox => "mbox",
            Format::Maildir => "maildir",
        }
    }

    /// The format a name names.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::value_variants().iter().copied().find(|f| f.name() == name)
    }

    /// Whether inputs in this format are bounce messages rather than lines.
    pub fn is_messages(self) -> bool {
        matches!(self, Format::Eml | Format::Mbox | Format::Maildir)
    }

    /// A reader for one input of this line-based format; `year` dates
    /// syslog timestamps that carry none.
    pub fn reader(self, year: i32) -> LineReader {
        match self {
            Format::Powermta => LineReader::Powermta(powermta::Reader::new()),
            Format::Exim => LineReader::Exim(Box::default()),
            Format::Postfix => LineReader::Postfix(Box::new(postfix::Reader::new(year))),
            format => LineReader::Stateless(format),
        }
    }

    /// The items of a webhook body as the ESP posts it (JSON, or form
    /// fields for the ESPs that post forms); `content_type` tells which.
    pub fn read_body(self, body: &[u8], content_type: &str) -> Vec<Result<Item, String>> {
        match self {
            Format::Mailgun => mailgun::parse_body(body, content_type),
            Format::Mandrill => mandrill::parse_body(body, content_type),
            Format::Sparkpost => sparkpost::parse_body(body, content_type),
            format => match std::str::from_utf8(body) {
                // A body is one JSON document, line breaks and all.
                Ok(text) => format.reader(0).line(text),
                Err(_) => vec![Err("the body is not UTF-8 text".into())],
            },
        }
    }
}

/// Reads the lines of one input, keeping what its format needs from
/// earlier lines (PowerMTA's header, Postfix's and Exim's Message-IDs by
/// queue id).
#[derive(Debug)]
pub enum LineReader {
    /// A format whose lines stand alone.
    Stateless(Format),
    Powermta(powermta::Reader),
    Exim(Box<exim::Reader>),
    Postfix(Box<postfix::Reader>),
}

impl LineReader {
    /// The items of the next line; an item that cannot be read says why.
    pub fn line(&mut self, line: &str) -> Vec<Result<Item, String>> {
        match self {
            LineReader::Powermta(reader) => reader.line(line),
            LineReader::Exim(reader) => reader.line(line),
            LineReader::Postfix(reader) => vec![reader.line(line).map_err(|e| e.0)],
            LineReader::Stateless(format) => match format {
                Format::Mailerq => mailerq::parse(line),
                Format::Kumomta => kumomta::parse(line),
                Format::Sendgrid => sendgrid::parse(line),
                Format::Ses => ses::parse(line),
                Format::Postmark => postmark::parse(line),
                Format::Mailgun => mailgun::parse(line),
                Format::Sparkpost => sparkpost::parse(line),
                Format::Mandrill => mandrill::parse(line),
                Format::Brevo => brevo::parse(line),
                Format::Mailjet => mailjet::parse(line),
                Format::Json => json::parse(line),
                // `Format::reader` gives these their own readers.
                Format::Powermta | Format::Exim | Format::Postfix => {
                    vec![Err(format!("{} keeps state between lines", format.name()))]
                }
                Format::Auto | Format::Csv | Format::Eml | Format::Mbox | Format::Maildir => {
                    vec![Err(format!("{} is not read line by line", format.name()))]
                }
            },
        }
    }
}

/// What tells the formats apart at the start of an input, in order: the
/// webhooks by field names only they use, the MTA logs by theirs, then
/// bounce messages (an mbox starts `From `); anything else is read as CSV
/// (whose header must then name an address column, or the import says so).
/// The signs are kept with each format's parser.
const SIGNS: [(Format, &[&str]); 13] = [
    (Format::Sendgrid, sendgrid::SIGNS),
    (Format::Ses, ses::SIGNS),
    (Format::Postmark, postmark::SIGNS),
    (Format::Mailgun, mailgun::SIGNS),
    (Format::Sparkpost, sparkpost::SIGNS),
    (Format::Mandrill, mandrill::SIGNS),
    (Format::Brevo, brevo::SIGNS),
    (Format::Mailjet, mailjet::SIGNS),
    (Format::Kumomta, kumomta::SIGNS),
    (Format::Mailerq, mailerq::SIGNS),
    (Format::Powermta, powermta::SIGNS),
    (Format::Postfix, postfix::SIGNS),
    (Format::Exim, exim::SIGNS),
];

/// Header names a bounce message starts with (RFC 5322 fields, the
/// envelope lines MTAs add on delivery).
const MESSAGE_STARTS: [&str; 7] = [
    "return-path:",
    "received:",
    "delivered-to:",
    "from:",
    "date:",
    "mime-version:",
    "message-id:",
];

/// The format of an input, from its first bytes.
pub fn detect(start: &[u8]) -> Format {
    let text = String::from_utf8_lossy(start);
    if let Some((format, _)) = SIGNS.iter().find(|(_, signs)| signs.iter().any(|s| text.contains(s))) {
        return *format;
    }
    if text.starts_with("From ") {
        return Format::Mbox;
    }
    let first = text.trim_start().to_ascii_lowercase();
    if MESSAGE_STARTS.iter().any(|h| first.starts_with(h)) || mailbox::SIGNS.iter().any(|s| text.contains(s)) {
        return Format::Eml;
    }
    if first.starts_with('{') || first.starts_with('[') {
        return Format::Json;
    }
    Format::Csv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
    }

    #[test]
    fn every_fixture_is_told_apart_by_its_start() {
        let cases = [
            ("postfix/maillog", Format::Postfix),
            ("exim/mainlog", Format::Exim),
            ("mailerq/results.jsonl", Format::Mailerq),
            ("powermta/acct.csv", Format::Powermta),
            ("kumomta/log.jsonl", Format::Kumomta),
            ("sendgrid/events.ndjson", Format::Sendgrid),
            ("ses/notifications.jsonl", Format::Ses),
            ("postmark/webhooks.jsonl", Format::Postmark),
            ("mailgun/events.jsonl", Format::Mailgun),
            ("sparkpost/batches.jsonl", Format::Sparkpost),
            ("mandrill/events.form", Format::Mandrill),
            ("brevo/events.jsonl", Format::Brevo),
            ("mailjet/events.jsonl", Format::Mailjet),
            ("mailbox/bounces.mbox", Format::Mbox),
            ("csv/bounces.csv", Format::Csv),
        ];

        for (path, format) in cases {
            assert_eq!(detect(&fixture(path)), format, "{path}");
        }
        assert_eq!(
            detect(br#"{"Type":"Notification","TopicArn":"arn:aws:sns:eu-west-1:1:x","Message":"{}"}"#),
            Format::Ses
        );
        assert_eq!(
            detect(br#"{"recipient":"jan@ziggo.nl","time":"2026-11-30T10:00:01Z","result":"failed","id":"1"}"#),
            Format::Json
        );
        assert_eq!(detect(b""), Format::Csv);
    }

    #[test]
    fn every_format_has_its_own_name() {
        let names: std::collections::BTreeSet<&str> = Format::value_variants().iter().map(|f| f.name()).collect();
        let clap_names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
            .collect();

        assert_eq!(names.len(), Format::value_variants().len());
        for (format, clap) in Format::value_variants().iter().zip(&clap_names) {
            assert_eq!(format.name(), clap, "the name the CLI takes");
        }
    }
}
