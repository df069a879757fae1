use super::*;

fn parse(text: &str) -> Result<Definition, ParseError> {
    Definition::parse(text)
}

fn err(text: &str) -> ParseError {
    parse(text).expect_err("the definition is refused")
}

#[test]
fn three_consecutive_hard_bounces() {
    let def = parse(r#"{"consecutive": {"class": "hard", "at_least": 3}}"#).expect("valid");

    assert_eq!(
        def.root,
        Node::Consecutive(Consecutive {
            class: FailureClass::Hard,
            at_least: 3
        })
    );
}

#[test]
fn soft_bounced_three_times_since_a_date_and_not_suppressed() {
    let def = parse(
        r#"{"all": [
            {"bounced": {"class": "soft", "at_least": 3, "since": "2026-09-01", "reason": ["mailboxfull"],
                         "stage": "rcpt_to", "code": "4.2", "domain": "Ziggo.NL"}},
            {"not": {"suppressed": {}}}
        ]}"#,
    )
    .expect("valid");

    let Node::All(nodes) = &def.root else { panic!("all") };
    let Node::Bounced(b) = &nodes[0] else { panic!("bounced") };
    assert_eq!(b.at_least, 3);
    assert_eq!(b.class, FailureClass::Soft);
    assert_eq!(
        b.scope.since.map(|t| t.to_rfc3339()),
        Some("2026-09-01T00:00:00+00:00".into())
    );
    assert_eq!(b.reasons, vec![Reason::MailboxFull]);
    assert_eq!(b.stages, vec![Stage::RcptTo]);
    assert_eq!(b.code.map(|c| c.to_string()), Some("4.2".into()));
    assert_eq!(b.domain.as_deref(), Some("ziggo.nl"));
    assert_eq!(nodes[1], Node::Not(Box::new(Node::Suppressed)));
}

#[test]
fn until_a_date_includes_that_whole_day() {
    let def = parse(r#"{"no_error": {"since": "2026-09-01", "until": "2026-09-30"}}"#).expect("valid");

    let Node::NoError(scope) = def.root else {
        panic!("no_error")
    };
    assert_eq!(
        scope.until.map(|t| t.to_rfc3339()),
        Some("2026-10-01T00:00:00+00:00".into())
    );
}

#[test]
fn errors_name_the_field_where_the_problem_is() {
    let cases = [
        (
            r#"{"all": [{"status": "active"}, {"bounced": {"class": "hrad"}}]}"#,
            "definition.all[1].bounced.class",
        ),
        (r#"{"bounced": {"at_least": 0}}"#, "definition.bounced.at_least"),
        (r#"{"bounced": {"at_least": "3"}}"#, "definition.bounced.at_least"),
        (
            r#"{"bounced": {"reason": ["userunknown", "nosuch"]}}"#,
            "definition.bounced.reason[1]",
        ),
        (r#"{"bounced": {"code": "9.9"}}"#, "definition.bounced.code"),
        (r#"{"bounced": {"colour": "red"}}"#, "definition.bounced.colour"),
        (
            r#"{"bounced": {"campaigns": [3, -1]}}"#,
            "definition.bounced.campaigns[1]",
        ),
        (
            r#"{"bounced": {"campaigns": [3], "last_campaigns": 2}}"#,
            "definition.bounced.last_campaigns",
        ),
        (r#"{"no_error": {"since": "september"}}"#, "definition.no_error.since"),
        (
            r#"{"no_error": {"since": "2026-09-02", "until": "2026-09-01"}}"#,
            "definition.no_error.until",
        ),
        (r#"{"any": []}"#, "definition.any"),
        (r#"{"status": "gone"}"#, "definition.status"),
        (r#"{"domain": "not a domain"}"#, "definition.domain"),
        (
            r#"{"suppressed": {"since": "2026-01-01"}}"#,
            "definition.suppressed.since",
        ),
        (r#"{"bounced": {}, "status": "active"}"#, "definition"),
        (r#"{"colour": "red"}"#, "definition"),
        (r#"[1, 2]"#, "definition"),
        (
            r#"{"bounced": {"include_incidents": "yes"}}"#,
            "definition.bounced.include_incidents",
        ),
        (r#"{"in_selection": ""}"#, "definition.in_selection"),
    ];
    for (text, field) in cases {
        let e = err(text);
        assert_eq!(e.field, field, "{text}: {e}");
    }
}

#[test]
fn broken_json_is_refused_with_its_position() {
    let e = err(r#"{"all": [ {"status": "active"} "#);

    assert_eq!(e.field, "definition");
    assert!(e.problem.contains("not valid JSON"), "{e}");
}

#[test]
fn hostile_shapes_are_refused_without_deep_recursion() {
    // 10 MB of nesting: serde_json stops at 128 levels, we at MAX_DEPTH.
    let deep_json = "[".repeat(5_000_000) + &"]".repeat(5_000_000);
    let deep_not = "{\"not\":".repeat(40) + "{\"suppressed\":{}}" + &"}".repeat(40);
    let wide = format!("{{\"any\": [{}]}}", vec![r#"{"status":"active"}"#; 300].join(","));

    assert_eq!(err(&deep_json).problem, "is longer than 64 KiB");
    assert!(err(&deep_not).problem.contains("deeper"), "{}", err(&deep_not));
    assert!(err(&wide).problem.contains("more than"), "{}", err(&wide));
}

#[test]
fn canonical_json_parses_back_to_the_same_definition() {
    let texts = [
        r#"{"consecutive": {"class": "any", "at_least": 2}}"#,
        r#"{"all": [{"bounced": {"class": "soft", "at_least": 3, "since": "2026-09-01", "until": "2026-10-31",
             "category": ["mailbox_full", "bad_mailbox"], "stage": ["rcpt_to", "data"], "code": "55",
             "domain": "gmail.com", "last_campaigns": 4}},
             {"not": {"in_selection": "Herhaalde bouncers"}}, {"status": "active"}, {"domain": "online.no"}]}"#,
        r#"{"any": [{"no_error": {"campaigns": [1, 2, 3]}}, {"suppressed": {}}]}"#,
    ];
    for text in texts {
        let def = parse(text).expect("valid");

        let again = Definition::from_value(&def.to_json()).expect("canonical JSON parses");

        assert_eq!(again, def, "{text}");
    }
}

fn saved(pairs: &[(&str, &str)]) -> HashMap<SelectionName, Definition> {
    pairs
        .iter()
        .map(|(name, text)| {
            (
                SelectionName::parse("name", name).expect("name"),
                parse(text).expect("valid"),
            )
        })
        .collect()
}

#[test]
fn saved_selections_are_inlined() {
    let lib = saved(&[(
        "repeat bouncers",
        r#"{"consecutive": {"class": "hard", "at_least": 3}}"#,
    )]);
    let def = parse(r#"{"all": [{"status": "active"}, {"not": {"in_selection": "repeat bouncers"}}]}"#).expect("valid");

    let inlined = def.inline(&lib).expect("inlines");

    assert_eq!(def.references().len(), 1);
    assert_eq!(
        inlined.root,
        Node::All(vec![
            Node::Status(ContactStatus::Active),
            Node::Not(Box::new(Node::Consecutive(Consecutive {
                class: FailureClass::Hard,
                at_least: 3
            })))
        ])
    );
}

#[test]
fn reference_cycles_and_missing_selections_are_refused() {
    let lib = saved(&[
        ("a", r#"{"any": [{"status": "active"}, {"in_selection": "b"}]}"#),
        ("b", r#"{"not": {"in_selection": "a"}}"#),
    ]);

    let cycle = lib[&SelectionName::parse("n", "a").expect("name")]
        .inline(&lib)
        .expect_err("cycle");
    let missing = parse(r#"{"in_selection": "nowhere"}"#)
        .expect("valid")
        .inline(&lib)
        .expect_err("missing");

    assert!(
        cycle.problem.contains("b → a") || cycle.problem.contains("a → b"),
        "{cycle}"
    );
    assert_eq!(missing.problem, "is not a saved selection");
}

#[test]
fn any_class_means_the_three_failure_classes() {
    assert_eq!(FailureClass::Any.classes().len(), 3);
    assert!(!FailureClass::Any.classes().contains(&BounceClass::None));
}

#[test]
fn incidents_and_typo_domains_round_trip() {
    let text = r#"{"all": [{"bounced": {"class": "soft", "include_incidents": true}}, {"typo_domain": {}}]}"#;

    let def = Definition::parse(text).expect("valid");
    let again = Definition::from_value(&def.to_json()).expect("its own JSON parses");

    assert_eq!(def, again);
    let Node::All(nodes) = &def.root else { panic!("all") };
    assert!(matches!(&nodes[0], Node::Bounced(b) if b.include_incidents));
    assert_eq!(nodes[1], Node::TypoDomain);
    let plain = Definition::parse(r#"{"bounced": {}}"#).expect("valid");
    assert!(
        matches!(plain.root, Node::Bounced(ref b) if !b.include_incidents),
        "left out by default"
    );
    assert!(Definition::parse(r#"{"typo_domain": {"of": "gmail.com"}}"#).is_err());
}
