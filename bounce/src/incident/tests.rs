use chrono::TimeZone;

use super::*;

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 6, hour, minute, 0)
        .single()
        .expect("valid")
}

/// A campaign sent from 08:00 to 14:00 to `sends` addresses per domain,
/// with a baseline of hard bounces (5.1.1) at `base_rate` everywhere,
/// spread evenly over the hours.
fn campaign(sends: &[(&str, i64)], base_rate: f64) -> (Vec<HourCount>, Vec<DomainSends>) {
    let mut hours = Vec::new();
    let mut domains = Vec::new();
    for (domain, sent) in sends {
        let failed = (*sent as f64 * base_rate).round() as i64;
        for h in 0..6 {
            let share = failed / 6 + i64::from(h < failed % 6);
            if share > 0 {
                hours.push(HourCount {
                    domain: (*domain).into(),
                    code: "5.1.1".into(),
                    hour: at(8 + h as u32, 0),
                    failures: share,
                });
            }
        }
        domains.push(DomainSends {
            domain: (*domain).into(),
            sent: *sent,
            failed,
        });
    }
    (hours, domains)
}

fn burst(hours: &mut Vec<HourCount>, domains: &mut [DomainSends], domain: &str, code: &str, at_hours: &[(u32, i64)]) {
    for (hour, n) in at_hours {
        hours.push(HourCount {
            domain: domain.into(),
            code: code.into(),
            hour: at(*hour, 0),
            failures: *n,
        });
        if let Some(d) = domains.iter_mut().find(|d| d.domain == domain) {
            d.failed += n;
        }
    }
}

const LIST: [(&str, i64); 5] = [
    ("gmail.com", 12_000),
    ("outlook.com", 6_000),
    ("ziggo.nl", 4_000),
    ("online.no", 2_000),
    ("web.de", 1_000),
];

#[test]
fn an_hour_of_throttling_at_one_provider_is_an_incident() {
    let (mut hours, mut domains) = campaign(&LIST, 0.01);
    burst(
        &mut hours,
        &mut domains,
        "outlook.com",
        "4.7.0",
        &[(10, 380), (11, 150)],
    );

    let found = detect(&IncidentRule::default(), &hours, &domains);

    assert_eq!(found.len(), 1, "{found:?}");
    let incident = &found[0];
    assert_eq!(
        (incident.domain.as_str(), incident.code.as_str()),
        ("outlook.com", "4.7.0")
    );
    assert_eq!(incident.failures, 530, "both hours fall in one window");
    assert_eq!((incident.starts_at, incident.ends_at), (at(10, 0), at(12, 0)));
    assert!(incident.rate > 0.08 && incident.rate_elsewhere < 0.011, "{incident:?}");
}

#[test]
fn a_domain_that_is_simply_large_is_not_an_incident() {
    // gmail.com holds half the list and half the dead addresses, at the
    // same rate as everyone else; its bounces even share one code.
    let (hours, domains) = campaign(&[("gmail.com", 50_000), ("ziggo.nl", 30_000), ("web.de", 20_000)], 0.02);
    let (mut hours_4xx, mut domains_4xx) = campaign(&[("gmail.com", 50_000), ("ziggo.nl", 30_000)], 0.0);
    // Greylisting everywhere at the same low rate.
    for (domain, n) in [("gmail.com", 60), ("ziggo.nl", 40)] {
        burst(&mut hours_4xx, &mut domains_4xx, domain, "4.2.0", &[(9, n)]);
    }

    assert_eq!(detect(&IncidentRule::default(), &hours, &domains), vec![]);
    assert_eq!(detect(&IncidentRule::default(), &hours_4xx, &domains_4xx), vec![]);
}

#[test]
fn a_burst_of_unknown_users_is_the_list_not_the_provider() {
    let (mut hours, mut domains) = campaign(&LIST, 0.01);
    burst(&mut hours, &mut domains, "ziggo.nl", "5.1.1", &[(9, 600)]);
    burst(&mut hours, &mut domains, "online.no", "550", &[(9, 300)]);

    assert_eq!(detect(&IncidentRule::default(), &hours, &domains), vec![]);
}

#[test]
fn small_bursts_stay_below_the_thresholds() {
    let (mut hours, mut domains) = campaign(&LIST, 0.01);
    // 15 failures: too few, however high web.de's rate.
    burst(&mut hours, &mut domains, "web.de", "4.7.1", &[(12, 15)]);

    assert_eq!(detect(&IncidentRule::default(), &hours, &domains), vec![]);
}

#[test]
fn the_same_code_spread_over_the_day_is_not_a_short_window() {
    let (mut hours, mut domains) = campaign(&LIST, 0.01);
    let spread: Vec<(u32, i64)> = (8..14).map(|h| (h, 40)).collect();
    burst(&mut hours, &mut domains, "outlook.com", "4.7.0", &spread);

    let found = detect(&IncidentRule::default(), &hours, &domains);

    // 80 in the busiest two hours: under a fifth of the campaign's failures.
    assert_eq!(found, vec![]);
}

#[test]
fn nothing_in_nothing_out() {
    assert_eq!(detect(&IncidentRule::default(), &[], &[]), vec![]);
    let (hours, _) = campaign(&LIST, 0.01);
    assert_eq!(
        detect(&IncidentRule::default(), &hours, &[]),
        vec![],
        "no sends known: no rate, no incident"
    );
}

#[test]
fn address_codes_are_told_apart_from_provider_codes() {
    for code in ["5.1.1", "5.1.10", "4.1.8", "550", "551", "553", ""] {
        assert!(speaks_of_the_address(code), "{code}");
    }
    for code in ["4.7.0", "5.7.1", "4.4.2", "421", "451", "554", "5.7.26"] {
        assert!(!speaks_of_the_address(code), "{code}");
    }
}
